// Nexmark's event model (nexmark-flink com.github.nexmark.flink.model): times are epoch ms.
// The Java peer (flink-peer) has the same classes with the same fields.

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export const PERSON = 0;
export const AUCTION = 1;
export const BID = 2;

/** One generated event: `type` says which of the three fields is set (Nexmark's Event). */
export interface NexmarkEvent {
  type: 0 | 1 | 2;
  person: Person | null;
  auction: Auction | null;
  bid: Bid | null;
}
