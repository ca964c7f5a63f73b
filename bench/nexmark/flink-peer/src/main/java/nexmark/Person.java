package nexmark;

/** Nexmark's Person (a Flink POJO); times are epoch ms. */
public class Person {
  public long id;
  public String name;
  public String emailAddress;
  public String creditCard;
  public String city;
  public String state;
  public long dateTime;
  public String extra;
  public Person() {}
  Person(long id, String name, String emailAddress, String creditCard, String city, String state, long dateTime, String extra) {
    this.id = id; this.name = name; this.emailAddress = emailAddress; this.creditCard = creditCard;
    this.city = city; this.state = state; this.dateTime = dateTime; this.extra = extra;
  }
}
