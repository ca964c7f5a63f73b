package nexmark;

/** Nexmark's Auction (a Flink POJO); times are epoch ms. */
public class Auction {
  public long id;
  public String itemName;
  public String description;
  public long initialBid;
  public long reserve;
  public long dateTime;
  public long expires;
  public long seller;
  public long category;
  public String extra;
  public Auction() {}
  Auction(long id, String itemName, String description, long initialBid, long reserve, long dateTime, long expires, long seller, long category, String extra) {
    this.id = id; this.itemName = itemName; this.description = description; this.initialBid = initialBid; this.reserve = reserve;
    this.dateTime = dateTime; this.expires = expires; this.seller = seller; this.category = category; this.extra = extra;
  }
}
