// Nexmark's event generator (nexmark-flink generator/{GeneratorConfig, NexmarkGenerator}.java and
// model/{Person,Auction,Bid,Price,Strings,Long}Generator.java), ported call for call so the Java peer
// (flink-peer/.../NexmarkGenerator.java) produces the same events.
// One deliberate change: nexmark-flink draws from one unseeded java.util.Random per generator, so its
// events differ per run; here, as in Beam's generator, each event draws from a java.util.Random seeded
// with its event id (plus the run's seed), so a run is reproducible and any position is a restart point.
// Base URLs (unseeded in nexmark-flink) come from a Random seeded with the channel number.
import { JavaRandom } from './JavaRandom.js';
import type { Person, Auction, Bid, NexmarkEvent } from './model.js';

export const FIRST_AUCTION_ID = 1000;
export const FIRST_PERSON_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
/** Beam's base time, 2015-07-15T00:00:00Z (nexmark-flink uses the job's start; fixed here for reproducibility). */
export const BASE_TIME = 1436918400000;

const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const NUM_CATEGORIES = 5;
const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const MIN_STRING_LENGTH = 3;
const US_STATES = 'AZ,CA,ID,OR,WA,WY'.split(',');
const US_CITIES = 'Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne'.split(',');
const FIRST_NAMES = 'Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter'.split(',');
const LAST_NAMES = 'Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris'.split(',');
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

/** Nexmark's NexmarkConfiguration defaults that the generator reads. */
export interface NexmarkConfig {
  /** Events per second of event time, over all generators (nexmark: first-event.rate). */
  readonly rate: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  /** 1 = in order; g permutes each block of g events (nextAdjustedEventNumber). */
  readonly outOfOrderGroupSize: number;
  /** Mixed into every event's seed: runs with equal seeds produce equal events. */
  readonly seed: number;
}

export const DEFAULT_CONFIG: NexmarkConfig = {
  rate: 10_000_000, personProportion: 1, auctionProportion: 3, bidProportion: 46,
  avgPersonByteSize: 200, avgAuctionByteSize: 500, avgBidByteSize: 100,
  hotAuctionRatio: 2, hotSellersRatio: 4, hotBiddersRatio: 4, numInFlightAuctions: 100, numActivePeople: 1000,
  outOfOrderGroupSize: 1, seed: 0,
};

export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  const c = { ...DEFAULT_CONFIG, ...overrides };
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Nexmark config ${k}: expected a non-negative integer, got ${String(v)}.`);
  }
  if (c.rate < 1) throw new RangeError(`Nexmark config rate: expected at least 1 event per second, got ${c.rate}.`);
  if (c.outOfOrderGroupSize < 1) throw new RangeError('Nexmark config outOfOrderGroupSize: expected at least 1 (1 = in order).');
  if (c.seed >= 2 ** 20) throw new RangeError(`Nexmark config seed: expected below 2^20, got ${c.seed}.`);
  return c;
}

/** One generator's timeline (GeneratorConfig after split(n)): event ids [firstEventId, firstEventId + maxEvents). */
export interface GeneratorSplit {
  readonly firstEventId: number;
  readonly maxEvents: number;
  /** Generators running side by side (nexmark's numEventGenerators): each one's inter-event delay is that many times longer. */
  readonly numGenerators: number;
}

/** GeneratorConfig.split(n): nearly equal parts of `events`, the last one takes the rest. */
export function splitGenerators(events: number, n: number): GeneratorSplit[] {
  const parts = Math.max(1, Math.min(n, events));
  const sub = Math.floor(events / parts);
  return Array.from({ length: parts }, (_, i) => ({
    firstEventId: i * sub, maxEvents: i === parts - 1 ? events - sub * (parts - 1) : sub, numGenerators: parts,
  }));
}

/** Generates the events of one split; `event(n)` is the split's n-th event (n = eventsCountSoFar). */
export class NexmarkGenerator {
  private readonly rnd = new JavaRandom();
  private readonly total: number;
  private readonly delayUs: number;
  private readonly seedBase: number;
  /** channelAndUrl's results by channel number (an array: a Map lookup cost more than the rest of a bid). */
  private readonly channels: Array<readonly [string, string] | undefined> = new Array<readonly [string, string] | undefined>(CHANNELS_NUMBER).fill(undefined);
  private readonly hotUrls: string[];

  constructor(readonly config: NexmarkConfig, readonly split: GeneratorSplit) {
    this.total = config.personProportion + config.auctionProportion + config.bidProportion;
    this.delayUs = (1_000_000 / config.rate) * split.numGenerators;
    this.seedBase = config.seed * 2 ** 32;
    this.hotUrls = HOT_CHANNELS.map((_, i) => baseUrl(new JavaRandom(i)));
  }

  /** GeneratorConfig.timestampForEvent. */
  timestampForEvent(eventNumber: number): number {
    return BASE_TIME + Math.floor(Math.floor(eventNumber * this.delayUs) / 1000);
  }

  /** GeneratorConfig.nextAdjustedEventNumber (firstEventNumber 0). */
  adjustedEventNumber(n: number): number {
    const g = this.config.outOfOrderGroupSize;
    return Math.floor(n / g) * g + ((n * 953) % g);
  }

  /** The watermark that holds for events n and later (nextEventNumberForWatermark). */
  watermarkFor(n: number): number {
    const g = this.config.outOfOrderGroupSize;
    return this.timestampForEvent(Math.floor(n / g) * g);
  }

  /** NexmarkGenerator.nextEvent for eventsCountSoFar = n. */
  event(n: number): NexmarkEvent {
    const adjusted = this.adjustedEventNumber(n);
    const ts = this.timestampForEvent(adjusted);
    const id = this.split.firstEventId + adjusted;
    this.rnd.setSeed(this.seedBase + id);
    const rem = id % this.total;
    const c = this.config;
    if (rem < c.personProportion) return { type: 0, person: this.nextPerson(id, ts), auction: null, bid: null };
    if (rem < c.personProportion + c.auctionProportion) return { type: 1, person: null, auction: this.nextAuction(n, id, ts), bid: null };
    return { type: 2, person: null, auction: null, bid: this.nextBid(id, ts) };
  }

  // PersonGenerator
  private nextPerson(eventId: number, ts: number): Person {
    const r = this.rnd;
    const id = this.lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    const name = FIRST_NAMES[r.nextIntBounded(FIRST_NAMES.length)]! + ' ' + LAST_NAMES[r.nextIntBounded(LAST_NAMES.length)]!;
    const email = nextString(r, 7, ' ') + '@' + nextString(r, 5, ' ') + '.com';
    let card = '';
    for (let i = 0; i < 4; i++) {
      if (i > 0) card += ' ';
      card += String(r.nextIntBounded(10000)).padStart(4, '0');
    }
    const city = US_CITIES[r.nextIntBounded(US_CITIES.length)]!;
    const state = US_STATES[r.nextIntBounded(US_STATES.length)]!;
    const size = 8 + name.length + email.length + card.length + city.length + state.length;
    const extra = nextExtra(r, size, this.config.avgPersonByteSize);
    return { id, name, emailAddress: email, creditCard: card, city, state, dateTime: ts, extra };
  }

  private nextBase0PersonId(eventId: number): number {
    const numPeople = this.lastBase0PersonId(eventId) + 1;
    const activePeople = Math.min(numPeople, this.config.numActivePeople);
    const n = nextLong(this.rnd, activePeople + PERSON_ID_LEAD);
    return numPeople - activePeople + n;
  }

  private lastBase0PersonId(eventId: number): number {
    const c = this.config;
    const epoch = Math.floor(eventId / this.total);
    let offset = eventId % this.total;
    if (offset >= c.personProportion) offset = c.personProportion - 1;
    return epoch * c.personProportion + offset;
  }

  // AuctionGenerator
  private nextAuction(eventsCountSoFar: number, eventId: number, ts: number): Auction {
    const r = this.rnd;
    const c = this.config;
    const id = this.lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    const seller = (r.nextIntBounded(c.hotSellersRatio) > 0
      ? Math.floor(this.lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
      : this.nextBase0PersonId(eventId)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + r.nextIntBounded(NUM_CATEGORIES);
    const initialBid = nextPrice(r);
    const expires = ts + this.nextAuctionLengthMs(eventsCountSoFar, ts);
    const itemName = nextString(r, 20, ' ');
    const description = nextString(r, 100, ' ');
    const reserve = initialBid + nextPrice(r);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = nextExtra(r, size, c.avgAuctionByteSize);
    return { id, itemName, description, initialBid, reserve, dateTime: ts, expires, seller, category, extra };
  }

  private lastBase0AuctionId(eventId: number): number {
    const c = this.config;
    let epoch = Math.floor(eventId / this.total);
    let offset = eventId % this.total;
    if (offset < c.personProportion) {
      epoch--;
      offset = c.auctionProportion - 1;
    } else if (offset >= c.personProportion + c.auctionProportion) {
      offset = c.auctionProportion - 1;
    } else {
      offset -= c.personProportion;
    }
    return epoch * c.auctionProportion + offset;
  }

  private nextBase0AuctionId(eventId: number): number {
    const maxAuction = this.lastBase0AuctionId(eventId);
    const minAuction = Math.max(maxAuction - this.config.numInFlightAuctions, 0);
    return minAuction + nextLong(this.rnd, maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
  }

  private nextAuctionLengthMs(eventsCountSoFar: number, ts: number): number {
    const c = this.config;
    const current = this.adjustedEventNumber(eventsCountSoFar);
    const numEventsForAuctions = Math.floor((c.numInFlightAuctions * this.total) / c.auctionProportion);
    const horizonMs = this.timestampForEvent(current + numEventsForAuctions) - ts;
    return 1 + nextLong(this.rnd, Math.max(horizonMs * 2, 1));
  }

  // BidGenerator
  private nextBid(eventId: number, ts: number): Bid {
    const r = this.rnd;
    const c = this.config;
    const auction = (r.nextIntBounded(c.hotAuctionRatio) > 0
      ? Math.floor(this.lastBase0AuctionId(eventId) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
      : this.nextBase0AuctionId(eventId)) + FIRST_AUCTION_ID;
    let bidder = (r.nextIntBounded(c.hotBiddersRatio) > 0
      ? Math.floor(this.lastBase0PersonId(eventId) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
      : this.nextBase0PersonId(eventId)) + FIRST_PERSON_ID;
    const price = nextPrice(r);
    let channel: string, url: string;
    if (r.nextIntBounded(HOT_CHANNELS_RATIO) > 0) {
      const i = r.nextIntBounded(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = this.hotUrls[i]!;
    } else {
      const e = this.channelAndUrl(r.nextIntBounded(CHANNELS_NUMBER));
      channel = e[0];
      url = e[1];
    }
    // nexmark-flink adds FIRST_PERSON_ID a second time here; kept, so bidder ids match its generator.
    bidder += FIRST_PERSON_ID;
    const extra = nextExtra(r, 8 + 8 + 8 + 8, c.avgBidByteSize);
    return { auction, bidder, price, channel, url, dateTime: ts, extra };
  }

  private channelAndUrl(channel: number): readonly [string, string] {
    let e = this.channels[channel];
    if (e === undefined) {
      const r = new JavaRandom(HOT_CHANNELS.length + channel);
      let url = baseUrl(r);
      if (r.nextIntBounded(10) > 0) url += '&channel_id=' + String(absInt(reverseInt(channel)));
      e = ['channel-' + String(channel), url];
      this.channels[channel] = e;
    }
    return e;
  }
}

function baseUrl(r: JavaRandom): string {
  return 'https://www.nexmark.com/' + nextString(r, 5, '_') + '/' + nextString(r, 5, '_') + '/' + nextString(r, 5, '_') + '/item.htm?query=1';
}

// Strings are written as bytes into one reused buffer and made a string at once (all their characters
// are Latin-1): a one-byte string straight from bytes costs a third of String.fromCharCode.apply over
// an array for Nexmark's lengths, and a string grown one character at a time is a rope every later
// read flattens.
let bytes = Buffer.alloc(1024);
const bytesFor = (n: number): Buffer => (n <= bytes.length ? bytes : (bytes = Buffer.alloc(2 * n)));

/** StringsGenerator.nextString: 3…maxLength-1 letters, about 1/13 of them `special`, then trimmed. */
function nextString(r: JavaRandom, maxLength: number, special: string): string {
  const len = MIN_STRING_LENGTH + r.nextIntBounded(maxLength - MIN_STRING_LENGTH);
  const sp = special.charCodeAt(0);
  const b = bytesFor(len);
  for (let i = 0; i < len; i++) b[i] = r.nextIntBounded(13) === 0 ? sp : 97 + r.nextIntBounded(26);
  const s = b.toString('latin1', 0, len);
  return sp === 32 ? s.trim() : s;
}

/** StringsGenerator.nextExactString: Java's signed `%` and truncating `/` included (a negative int gives letters below 'a'). */
function nextExactString(r: JavaRandom, length: number): string {
  const b = bytesFor(length);
  let i = 0;
  // Six letters per draw.
  for (; i + 6 <= length; i += 6) {
    let rnd = r.nextInt();
    b[i] = 97 + (rnd % 26); rnd = (rnd / 26) | 0;
    b[i + 1] = 97 + (rnd % 26); rnd = (rnd / 26) | 0;
    b[i + 2] = 97 + (rnd % 26); rnd = (rnd / 26) | 0;
    b[i + 3] = 97 + (rnd % 26); rnd = (rnd / 26) | 0;
    b[i + 4] = 97 + (rnd % 26); rnd = (rnd / 26) | 0;
    b[i + 5] = 97 + (rnd % 26);
  }
  if (i < length) {
    let rnd = r.nextInt();
    for (; i < length; i++) { b[i] = 97 + (rnd % 26); rnd = (rnd / 26) | 0; }
  }
  return b.toString('latin1', 0, length);
}

/** StringsGenerator.nextExtra: pads a record to `desiredAverageSize` on average (±20 %). */
function nextExtra(r: JavaRandom, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const avg = desiredAverageSize - currentSize;
  const delta = Math.round(avg * 0.2);
  const minSize = avg - delta;
  return nextExactString(r, minSize + (delta === 0 ? 0 : r.nextIntBounded(2 * delta)));
}

/** PriceGenerator.nextPrice: log-uniform cents, $1 to $1M. */
function nextPrice(r: JavaRandom): number { return Math.round(Math.pow(10.0, r.nextDouble() * 6.0) * 100.0); }

/** LongGenerator.nextLong for n below 2^31 (every bound the default configuration produces). */
function nextLong(r: JavaRandom, n: number): number {
  if (n >= 0x7fffffff) throw new RangeError(`Nexmark generator: a bound of ${n} needs Java's 64-bit nextLong, which this port does not have; raise the event rate.`);
  return r.nextIntBounded(n);
}

/** Integer.reverse. */
function reverseInt(x: number): number {
  let v = x >>> 0;
  let out = 0;
  for (let i = 0; i < 32; i++) { out = (out << 1) | (v & 1); v >>>= 1; }
  return out | 0;
}

/** Math.abs(int): Integer.MIN_VALUE stays negative, as in Java. */
function absInt(x: number): number { return x === -2147483648 ? x : Math.abs(x); }
