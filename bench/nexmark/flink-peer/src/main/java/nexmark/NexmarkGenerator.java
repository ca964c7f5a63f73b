package nexmark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * nexmark-flink's generator (GeneratorConfig, NexmarkGenerator, model/*Generator), as in bench/nexmark/job/generator.ts:
 * each event draws from a Random seeded with its event id (plus the run's seed), so both engines see the same events.
 */
final class NexmarkGenerator {
  static final long FIRST_AUCTION_ID = 1000L;
  static final long FIRST_PERSON_ID = 1000L;
  static final long FIRST_CATEGORY_ID = 10L;
  static final long BASE_TIME = 1436918400000L;
  private static final int PERSON_ID_LEAD = 10;
  private static final int AUCTION_ID_LEAD = 10;
  private static final int NUM_CATEGORIES = 5;
  private static final int HOT_SELLER_RATIO = 100;
  private static final int HOT_AUCTION_RATIO = 100;
  private static final int HOT_BIDDER_RATIO = 100;
  private static final int HOT_CHANNELS_RATIO = 2;
  private static final int CHANNELS_NUMBER = 10_000;
  private static final int MIN_STRING_LENGTH = 3;
  private static final String[] US_STATES = "AZ,CA,ID,OR,WA,WY".split(",");
  private static final String[] US_CITIES = "Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne".split(",");
  private static final String[] FIRST_NAMES = "Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter".split(",");
  private static final String[] LAST_NAMES = "Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris".split(",");
  private static final String[] HOT_CHANNELS = {"Google", "Facebook", "Baidu", "Apple"};

  /** NexmarkConfiguration's defaults that the generator reads (bench/nexmark/job/generator.ts DEFAULT_CONFIG). */
  static final class Config implements Serializable {
    long rate = 10_000_000;
    int personProportion = 1, auctionProportion = 3, bidProportion = 46;
    int avgPersonByteSize = 200, avgAuctionByteSize = 500, avgBidByteSize = 100;
    int hotAuctionRatio = 2, hotSellersRatio = 4, hotBiddersRatio = 4;
    int numInFlightAuctions = 100, numActivePeople = 1000;
    long outOfOrderGroupSize = 1;
    long seed = 0;
  }

  private final Config c;
  private final long firstEventId;
  private final int total;
  private final double delayUs;
  private final long seedBase;
  private final JavaRandom rnd = new JavaRandom(0);
  private final Map<Integer, String[]> channels = new HashMap<>();
  private final String[] hotUrls = new String[HOT_CHANNELS.length];

  NexmarkGenerator(Config c, long firstEventId, int numGenerators) {
    this.c = c;
    this.firstEventId = firstEventId;
    this.total = c.personProportion + c.auctionProportion + c.bidProportion;
    this.delayUs = 1000000.0 / c.rate * numGenerators;
    this.seedBase = c.seed << 32;
    for (int i = 0; i < hotUrls.length; i++) hotUrls[i] = baseUrl(new JavaRandom(i));
  }

  long timestampForEvent(long eventNumber) { return BASE_TIME + (long) (eventNumber * delayUs) / 1000L; }

  long adjustedEventNumber(long n) {
    long g = c.outOfOrderGroupSize;
    return (n / g) * g + (n * 953) % g;
  }

  Event event(long n) {
    long adjusted = adjustedEventNumber(n);
    long ts = timestampForEvent(adjusted);
    long id = firstEventId + adjusted;
    rnd.setSeed(seedBase + id);
    long rem = id % total;
    if (rem < c.personProportion) return new Event(0, nextPerson(id, ts), null, null);
    if (rem < c.personProportion + c.auctionProportion) return new Event(1, null, nextAuction(n, id, ts), null);
    return new Event(2, null, null, nextBid(id, ts));
  }

  private Person nextPerson(long eventId, long ts) {
    JavaRandom r = rnd;
    long id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    String name = FIRST_NAMES[r.nextInt(FIRST_NAMES.length)] + " " + LAST_NAMES[r.nextInt(LAST_NAMES.length)];
    String email = nextString(r, 7, ' ') + "@" + nextString(r, 5, ' ') + ".com";
    StringBuilder card = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      if (i > 0) card.append(' ');
      card.append(String.format("%04d", r.nextInt(10000)));
    }
    String city = US_CITIES[r.nextInt(US_CITIES.length)];
    String state = US_STATES[r.nextInt(US_STATES.length)];
    int size = 8 + name.length() + email.length() + card.length() + city.length() + state.length();
    String extra = nextExtra(r, size, c.avgPersonByteSize);
    return new Person(id, name, email, card.toString(), city, state, ts, extra);
  }

  private long nextBase0PersonId(long eventId) {
    long numPeople = lastBase0PersonId(eventId) + 1;
    long activePeople = Math.min(numPeople, c.numActivePeople);
    long n = nextLong(rnd, activePeople + PERSON_ID_LEAD);
    return numPeople - activePeople + n;
  }

  private long lastBase0PersonId(long eventId) {
    long epoch = eventId / total;
    long offset = eventId % total;
    if (offset >= c.personProportion) offset = c.personProportion - 1;
    return epoch * c.personProportion + offset;
  }

  private Auction nextAuction(long eventsCountSoFar, long eventId, long ts) {
    JavaRandom r = rnd;
    long id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    long seller = (r.nextInt(c.hotSellersRatio) > 0
        ? (lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
        : nextBase0PersonId(eventId)) + FIRST_PERSON_ID;
    long category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
    long initialBid = nextPrice(r);
    long expires = ts + nextAuctionLengthMs(eventsCountSoFar, ts);
    String itemName = nextString(r, 20, ' ');
    String description = nextString(r, 100, ' ');
    long reserve = initialBid + nextPrice(r);
    int size = 8 + itemName.length() + description.length() + 8 + 8 + 8 + 8 + 8;
    String extra = nextExtra(r, size, c.avgAuctionByteSize);
    return new Auction(id, itemName, description, initialBid, reserve, ts, expires, seller, category, extra);
  }

  private long lastBase0AuctionId(long eventId) {
    long epoch = eventId / total;
    long offset = eventId % total;
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

  private long nextBase0AuctionId(long eventId) {
    long maxAuction = lastBase0AuctionId(eventId);
    long minAuction = Math.max(maxAuction - c.numInFlightAuctions, 0);
    return minAuction + nextLong(rnd, maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
  }

  private long nextAuctionLengthMs(long eventsCountSoFar, long ts) {
    long current = adjustedEventNumber(eventsCountSoFar);
    long numEventsForAuctions = ((long) c.numInFlightAuctions * total) / c.auctionProportion;
    long horizonMs = timestampForEvent(current + numEventsForAuctions) - ts;
    return 1L + nextLong(rnd, Math.max(horizonMs * 2, 1L));
  }

  private Bid nextBid(long eventId, long ts) {
    JavaRandom r = rnd;
    long auction = (r.nextInt(c.hotAuctionRatio) > 0
        ? (lastBase0AuctionId(eventId) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
        : nextBase0AuctionId(eventId)) + FIRST_AUCTION_ID;
    long bidder = (r.nextInt(c.hotBiddersRatio) > 0
        ? (lastBase0PersonId(eventId) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
        : nextBase0PersonId(eventId)) + FIRST_PERSON_ID;
    long price = nextPrice(r);
    String channel, url;
    if (r.nextInt(HOT_CHANNELS_RATIO) > 0) {
      int i = r.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i];
      url = hotUrls[i];
    } else {
      String[] cu = channelAndUrl(r.nextInt(CHANNELS_NUMBER));
      channel = cu[0];
      url = cu[1];
    }
    bidder += FIRST_PERSON_ID; // nexmark-flink adds it twice
    String extra = nextExtra(r, 8 + 8 + 8 + 8, c.avgBidByteSize);
    return new Bid(auction, bidder, price, channel, url, ts, extra);
  }

  private String[] channelAndUrl(int channel) {
    String[] e = channels.get(channel);
    if (e == null) {
      JavaRandom r = new JavaRandom(HOT_CHANNELS.length + channel);
      String url = baseUrl(r);
      if (r.nextInt(10) > 0) url = url + "&channel_id=" + Math.abs(Integer.reverse(channel));
      e = new String[] {"channel-" + channel, url};
      channels.put(channel, e);
    }
    return e;
  }

  private static String baseUrl(JavaRandom r) {
    return "https://www.nexmark.com/" + nextString(r, 5, '_') + '/' + nextString(r, 5, '_') + '/' + nextString(r, 5, '_') + '/' + "item.htm?query=1";
  }

  private static String nextString(JavaRandom r, int maxLength, char special) {
    int len = MIN_STRING_LENGTH + r.nextInt(maxLength - MIN_STRING_LENGTH);
    StringBuilder sb = new StringBuilder();
    while (len-- > 0) {
      if (r.nextInt(13) == 0) sb.append(special);
      else sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString().trim();
  }

  private static String nextExactString(JavaRandom r, int length) {
    StringBuilder sb = new StringBuilder();
    int rnd = 0;
    int n = 0;
    while (length-- > 0) {
      if (n == 0) {
        rnd = r.nextInt();
        n = 6;
      }
      sb.append((char) ('a' + rnd % 26));
      rnd /= 26;
      n--;
    }
    return sb.toString();
  }

  private static String nextExtra(JavaRandom r, int currentSize, int desiredAverageSize) {
    if (currentSize > desiredAverageSize) return "";
    desiredAverageSize -= currentSize;
    int delta = (int) Math.round(desiredAverageSize * 0.2);
    int minSize = desiredAverageSize - delta;
    int desiredSize = minSize + (delta == 0 ? 0 : r.nextInt(2 * delta));
    return nextExactString(r, desiredSize);
  }

  private static long nextPrice(JavaRandom r) { return Math.round(Math.pow(10.0, r.nextDouble() * 6.0) * 100.0); }

  private static long nextLong(JavaRandom r, long n) {
    if (n >= Integer.MAX_VALUE) throw new IllegalArgumentException("bound " + n + " needs 64-bit nextLong; raise the event rate");
    return r.nextInt((int) n);
  }
}
