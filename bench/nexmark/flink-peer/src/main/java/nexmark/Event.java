package nexmark;

/** One generated event: {@code type} (0 person, 1 auction, 2 bid) says which field is set (Nexmark's Event). */
public class Event {
  public int type;
  public Person person;
  public Auction auction;
  public Bid bid;
  public Event() {}
  Event(int type, Person person, Auction auction, Bid bid) { this.type = type; this.person = person; this.auction = auction; this.bid = bid; }
  long dateTime() { return type == 2 ? bid.dateTime : type == 1 ? auction.dateTime : person.dateTime; }
}
