package tsflink.hadoop;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FsShell;
import org.apache.hadoop.util.ToolRunner;

/**
 * Runs FsShell commands (as `hadoop fs` would) in one JVM and prints each one's wall time, so the
 * B6 benchmark compares transfer speed rather than JVM start-up. Commands are separated by "--";
 * the first one is a warm-up and is reported too. Output: one JSON line per command.
 * Configuration comes from the classpath (put HADOOP_CONF_DIR first on it).
 */
public final class FsShellTimed {
  public static void main(String[] argv) throws Exception {
    List<List<String>> cmds = new ArrayList<>();
    List<String> cur = new ArrayList<>();
    for (String a : argv) {
      if (a.equals("--")) {
        if (!cur.isEmpty()) cmds.add(cur);
        cur = new ArrayList<>();
      } else {
        cur.add(a);
      }
    }
    if (!cur.isEmpty()) cmds.add(cur);
    Configuration conf = new Configuration();
    int rc = 0;
    for (List<String> c : cmds) {
      long t0 = System.nanoTime();
      int r = ToolRunner.run(conf, new FsShell(conf), c.toArray(new String[0]));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("{\"cmd\": \"" + String.join(" ", c).replace("\"", "'") + "\", \"rc\": " + r + ", \"ms\": " + ms + "}");
      if (r != 0) rc = r;
    }
    System.exit(rc);
  }

  private FsShellTimed() {}
}
