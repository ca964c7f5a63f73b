package tsflink.hadoop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.util.VersionInfo;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.nodemanager.NodeManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real single-machine Hadoop cluster for tsflink's integration tests: MiniDFSCluster (1 NN, N DNs,
 * WebHDFS) + MiniYARNCluster (RM) on 127.0.0.1, and N NodeManagers each on its own "host", a
 * loopback alias (127.0.0.2, 127.0.0.3, …: Linux routes all of 127/8 to lo), so that containers of
 * different NodeManagers see different node addresses as on a real cluster. Writes the bound
 * addresses to cluster.json and a Hadoop conf dir, and serves a tiny HTTP control channel for
 * fault injection.
 *
 * <p>Usage: TestCluster --dir RUN_DIR [--datanodes 2] [--nodemanagers 2] [--nm-hosts 127.0.0.2,127.0.0.3]
 * [--block-size BYTES] [--nm-memory-mb 8192] [--no-yarn] [--data-dir DIR] [--delete-data-on-exit]
 */
public final class TestCluster {
  private static final Logger LOG = LoggerFactory.getLogger("tsflink.TestCluster");
  private static final String LOOPBACK = "127.0.0.1";

  private final Path runDir;
  private final Path confDir;
  private final Path dataDir;
  private final boolean deleteDataOnExit;
  private final int numDataNodes;
  private final int numNodeManagers;
  private final long blockSize;
  private final int nmMemoryMb;
  private final boolean withYarn;
  /** yarn.nodemanager.hostname of NodeManager i (default 127.0.0.(2+i)). */
  private final List<String> nmHosts = new ArrayList<>();
  private final List<NodeManager> nodeManagers = new ArrayList<>();

  private MiniDFSCluster dfs;
  private MiniYARNCluster yarn;
  private Configuration yarnConf;
  private HttpServer control;
  private int nnRpcPort;
  private int nnHttpPort;
  private boolean nameNodeRunning;
  /** Slot i keeps its identity across stop/restart (MiniDFSCluster re-indexes its list). */
  private final List<DataNode> dnSlots = new ArrayList<>();
  private final List<MiniDFSCluster.DataNodeProperties> stoppedDn = new ArrayList<>();
  private final List<int[]> dnPorts = new ArrayList<>();

  private TestCluster(Map<String, String> args) {
    this.runDir = Path.of(required(args, "dir")).toAbsolutePath();
    this.confDir = runDir.resolve("conf");
    this.dataDir = Path.of(args.getOrDefault("data-dir", runDir.resolve("data").toString())).toAbsolutePath();
    this.deleteDataOnExit = args.containsKey("delete-data-on-exit");
    this.numDataNodes = Integer.parseInt(args.getOrDefault("datanodes", "2"));
    this.numNodeManagers = Integer.parseInt(args.getOrDefault("nodemanagers", "2"));
    this.blockSize = Long.parseLong(args.getOrDefault("block-size", String.valueOf(32L << 20)));
    this.nmMemoryMb = Integer.parseInt(args.getOrDefault("nm-memory-mb", "8192"));
    this.withYarn = !args.containsKey("no-yarn");
    String hosts = args.get("nm-hosts");
    for (int i = 0; i < numNodeManagers; i++) {
      String[] given = hosts == null ? new String[0] : hosts.split(",");
      nmHosts.add(i < given.length ? given[i].trim() : "127.0.0." + (2 + i));
    }
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parseArgs(argv);
    TestCluster c = new TestCluster(args);
    long t0 = System.nanoTime();
    try {
      c.start();
    } catch (Throwable t) {
      // Hadoop leaves non-daemon threads behind; exit so the harness sees the failure.
      LOG.error("test cluster failed to start", t);
      c.shutdown();
      System.exit(1);
    }
    LOG.info("tsflink test cluster ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
    Runtime.getRuntime().addShutdownHook(new Thread(c::shutdown, "tsflink-cluster-shutdown"));
    Thread.currentThread().join(); // the control channel and Hadoop threads keep working
  }

  private static String required(Map<String, String> args, String key) {
    String v = args.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + key + " (usage: TestCluster --dir RUN_DIR ...)");
    }
    return v;
  }

  private static Map<String, String> parseArgs(String[] argv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
      String k = a.substring(2);
      if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) m.put(k, argv[++i]);
      else m.put(k, "true");
    }
    return m;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return s.getLocalPort();
    }
  }

  private void start() throws Exception {
    Path data = dataDir;
    deleteRecursively(data);
    Files.createDirectories(data);
    Files.createDirectories(confDir);

    Configuration conf = new HdfsConfiguration();
    conf.set("hadoop.tmp.dir", data.resolve("tmp").toString());
    conf.setLong("dfs.blocksize", blockSize);
    // Tests pick small block sizes per file to exercise multi-block reads/writes.
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 4096);
    conf.setInt("dfs.replication", Math.min(2, numDataNodes));
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean("dfs.permissions.enabled", true);
    // Notice a stopped DataNode within seconds and route reads/writes away from it.
    conf.setLong("dfs.heartbeat.interval", 1);
    conf.setInt("dfs.namenode.heartbeat.recheck-interval", 5000);
    conf.setBoolean("dfs.namenode.avoid.read.stale.datanode", true);
    conf.setBoolean("dfs.namenode.avoid.write.stale.datanode", true);
    conf.setLong("dfs.namenode.stale.datanode.interval", 3000);
    // With 2 DataNodes there is no spare node to replace a failed pipeline member.
    conf.setBoolean("dfs.client.block.write.replace-datanode-on-failure.enable", false);
    conf.setInt("dfs.namenode.safemode.extension", 0);
    // Small files: let close() succeed once the pipeline acked the last block, instead of sleeping
    // 400 ms+ until the DataNodes' block reports reach the NameNode (WebHDFS runs that client inside the DN).
    conf.setInt("dfs.namenode.file.close.num-committed-allowed", 1);
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 50);
    conf.set("dfs.namenode.rpc-bind-host", LOOPBACK);
    conf.set("dfs.namenode.http-bind-host", LOOPBACK);
    conf.set("dfs.datanode.hostname", LOOPBACK);

    nnRpcPort = freePort();
    nnHttpPort = freePort();
    LOG.info("starting HDFS: NameNode rpc {} http {}, {} DataNodes", nnRpcPort, nnHttpPort, numDataNodes);
    dfs = new MiniDFSCluster.Builder(conf, data.resolve("dfs").toFile())
        .numDataNodes(numDataNodes)
        .nameNodePort(nnRpcPort)
        .nameNodeHttpPort(nnHttpPort)
        .format(true)
        .build();
    dfs.waitActive();
    nameNodeRunning = true;
    for (DataNode dn : dfs.getDataNodes()) {
      dnSlots.add(dn);
      stoppedDn.add(null);
      dnPorts.add(new int[] {dn.getXferPort(), dn.getInfoPort(), dn.getIpcPort()});
    }
    prepareNamespace();

    if (withYarn) {
      YarnConfiguration yc = new YarnConfiguration(dfs.getConfiguration(0));
      yc.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
      yc.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
      yc.setInt("yarn.scheduler.minimum-allocation-mb", 64);
      yc.setInt("yarn.scheduler.maximum-allocation-mb", nmMemoryMb);
      yc.setInt("yarn.nodemanager.resource.memory-mb", nmMemoryMb);
      // MiniYARNCluster sizes its NodeManagers from this key, not the one above.
      yc.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", nmMemoryMb);
      yc.setInt("yarn.nodemanager.resource.cpu-vcores", 8);
      yc.setInt("yarn.scheduler.maximum-allocation-vcores", 8);
      yc.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 0.8f);
      // One container per NodeManager heartbeat: a multi-container request spreads over both
      // NodeManagers (as on a busy real cluster) instead of the first heartbeat taking them all.
      yc.setInt("yarn.scheduler.capacity.per-node-heartbeat.maximum-container-assignments", 1);
      yc.setFloat("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", 99.9f);
      yc.setInt("yarn.nodemanager.delete.debug-delay-sec", 600);
      yc.setBoolean("yarn.timeline-service.enabled", false);
      yc.set("yarn.resourcemanager.bind-host", LOOPBACK);
      yc.set("yarn.nodemanager.bind-host", LOOPBACK);
      LOG.info("starting YARN: ResourceManager + {} NodeManagers on {} ({} MB each)", numNodeManagers, nmHosts, nmMemoryMb);
      // MiniYARNCluster gives all its NodeManagers the local host name; ours get one host each.
      yarn = new MiniYARNCluster("tsflink", 0, 1, 1);
      yarn.init(yc);
      yarn.start();
      yarnConf = yarn.getConfig();
      for (int i = 0; i < numNodeManagers; i++) nodeManagers.add(startNodeManager(i, data));
      long deadline = System.currentTimeMillis() + 60_000;
      while (yarn.getResourceManager().getRMContext().getRMNodes().size() < numNodeManagers) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("NodeManagers did not register with the ResourceManager within 60 s");
        }
        Thread.sleep(100);
      }
    }

    startControl();
    writeConfDir();
    writeClusterJson();
  }

  /** NodeManager i on its own host: every address (RPC, localizer, web) bound to and advertised as nmHosts[i]. */
  private NodeManager startNodeManager(int i, Path data) throws IOException {
    String host = nmHosts.get(i);
    YarnConfiguration c = new YarnConfiguration(yarnConf);
    c.set("yarn.nodemanager.hostname", host);
    // bind-host + address: the NodeId takes the address's host (ContainerManagerImpl's host override).
    c.set("yarn.nodemanager.bind-host", host);
    c.set("yarn.nodemanager.address", host + ":0");
    c.set("yarn.nodemanager.localizer.address", host + ":0");
    c.set("yarn.nodemanager.webapp.address", host + ":0");
    c.set("yarn.nodemanager.collector-service.address", host + ":0");
    c.setInt("yarn.nodemanager.resource.memory-mb", nmMemoryMb);
    Path local = data.resolve("nm-" + i + "-local");
    Path logs = data.resolve("nm-" + i + "-logs");
    Path remoteLogs = data.resolve("nm-" + i + "-remote-logs");
    for (Path d : new Path[] {local, logs, remoteLogs}) Files.createDirectories(d);
    c.set("yarn.nodemanager.local-dirs", local.toString());
    c.set("yarn.nodemanager.log-dirs", logs.toString());
    c.set("yarn.nodemanager.remote-app-log-dir", remoteLogs.toString());
    NodeManager nm = new NodeManager();
    nm.init(c);
    nm.start();
    LOG.info("NodeManager {} on {}: {}", i, host, nm.getNMContext().getNodeId());
    return nm;
  }

  /** World-writable /tmp and /user so tests can act as any user.name; / stays owned by the superuser. */
  private void prepareNamespace() throws IOException {
    FileSystem fs = dfs.getFileSystem();
    fs.setPermission(new org.apache.hadoop.fs.Path("/"), new FsPermission((short) 0777));
    for (String d : new String[] {"/tmp", "/user"}) {
      fs.mkdirs(new org.apache.hadoop.fs.Path(d));
      fs.setPermission(new org.apache.hadoop.fs.Path(d), new FsPermission((short) 01777));
    }
  }

  private String loopback(String hostPort) {
    if (hostPort == null) return null;
    int i = hostPort.lastIndexOf(':');
    return LOOPBACK + hostPort.substring(i);
  }

  private String yarnAddr(String key) {
    return loopback(yarnConf.get(key));
  }

  private void writeConfDir() throws IOException {
    Map<String, String> core = new LinkedHashMap<>();
    core.put("fs.defaultFS", "hdfs://" + LOOPBACK + ":" + nnRpcPort);
    core.put("hadoop.security.authentication", "simple");
    writeSite("core-site.xml", core);

    Map<String, String> hdfs = new LinkedHashMap<>();
    hdfs.put("dfs.namenode.rpc-address", LOOPBACK + ":" + nnRpcPort);
    hdfs.put("dfs.namenode.http-address", LOOPBACK + ":" + nnHttpPort);
    hdfs.put("dfs.webhdfs.enabled", "true");
    hdfs.put("dfs.replication", String.valueOf(Math.min(2, numDataNodes)));
    hdfs.put("dfs.blocksize", String.valueOf(blockSize));
    hdfs.put("dfs.client.block.write.replace-datanode-on-failure.enable", "false");
    writeSite("hdfs-site.xml", hdfs);

    if (yarnConf != null) {
      Map<String, String> y = new LinkedHashMap<>();
      for (String k : new String[] {
          "yarn.resourcemanager.address", "yarn.resourcemanager.scheduler.address",
          "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.admin.address",
          "yarn.resourcemanager.webapp.address"}) {
        y.put(k, yarnAddr(k));
      }
      y.put("yarn.resourcemanager.hostname", LOOPBACK);
      y.put("yarn.nodemanager.vmem-check-enabled", "false");
      y.put("yarn.nodemanager.pmem-check-enabled", "false");
      y.put("yarn.scheduler.minimum-allocation-mb", "64");
      y.put("yarn.nodemanager.resource.memory-mb", String.valueOf(nmMemoryMb));
      y.put("yarn.scheduler.capacity.maximum-am-resource-percent", "0.8");
      writeSite("yarn-site.xml", y);
    }
  }

  private void writeSite(String name, Map<String, String> props) throws IOException {
    StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<!-- generated by tsflink TestCluster -->\n<configuration>\n");
    for (Map.Entry<String, String> e : props.entrySet()) {
      sb.append("  <property><name>").append(xml(e.getKey())).append("</name><value>")
          .append(xml(e.getValue())).append("</value></property>\n");
    }
    sb.append("</configuration>\n");
    atomicWrite(confDir.resolve(name), sb.toString());
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String js(Object v) {
    if (v == null) return "null";
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    String s = v.toString();
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') sb.append('\\').append(ch);
      else if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
      else sb.append(ch);
    }
    return sb.append('"').toString();
  }

  private synchronized String clusterJson() {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"pid\": ").append(ProcessHandle.current().pid()).append(",\n");
    sb.append("  \"hadoopVersion\": ").append(js(VersionInfo.getVersion())).append(",\n");
    sb.append("  \"updatedAt\": ").append(System.currentTimeMillis()).append(",\n");
    sb.append("  \"superuser\": ").append(js(System.getProperty("user.name"))).append(",\n");
    sb.append("  \"control\": ").append(js("http://" + LOOPBACK + ":" + control.getAddress().getPort())).append(",\n");
    sb.append("  \"dataDir\": ").append(js(dataDir.toString())).append(",\n");
    sb.append("  \"hadoopConfDir\": ").append(js(confDir.toString())).append(",\n");
    sb.append("  \"namenode\": ").append(js("hdfs://" + LOOPBACK + ":" + nnRpcPort)).append(",\n");
    sb.append("  \"namenodeRpcPort\": ").append(nnRpcPort).append(",\n");
    sb.append("  \"namenodeHttpPort\": ").append(nnHttpPort).append(",\n");
    sb.append("  \"namenodeRunning\": ").append(nameNodeRunning).append(",\n");
    sb.append("  \"webhdfs\": ").append(js("http://" + LOOPBACK + ":" + nnHttpPort)).append(",\n");
    sb.append("  \"blockSize\": ").append(blockSize).append(",\n");
    sb.append("  \"replication\": ").append(Math.min(2, numDataNodes)).append(",\n");
    sb.append("  \"datanodes\": [");
    for (int i = 0; i < dnSlots.size(); i++) {
      int[] p = dnPorts.get(i);
      DataNode dn = dnSlots.get(i);
      sb.append(i == 0 ? "\n" : ",\n").append("    {\"index\": ").append(i)
          .append(", \"running\": ").append(stoppedDn.get(i) == null)
          .append(", \"uuid\": ").append(js(dn.getDatanodeUuid()))
          .append(", \"xferPort\": ").append(p[0])
          .append(", \"httpPort\": ").append(p[1])
          .append(", \"ipcPort\": ").append(p[2])
          .append(", \"http\": ").append(js("http://" + LOOPBACK + ":" + p[1])).append("}");
    }
    sb.append("\n  ]");
    if (yarnConf != null) {
      sb.append(",\n  \"resourceManager\": ").append(js(yarnAddr("yarn.resourcemanager.address")));
      sb.append(",\n  \"resourceManagerScheduler\": ").append(js(yarnAddr("yarn.resourcemanager.scheduler.address")));
      sb.append(",\n  \"resourceManagerTracker\": ").append(js(yarnAddr("yarn.resourcemanager.resource-tracker.address")));
      sb.append(",\n  \"resourceManagerAdmin\": ").append(js(yarnAddr("yarn.resourcemanager.admin.address")));
      sb.append(",\n  \"resourceManagerWeb\": ").append(js("http://" + yarnAddr("yarn.resourcemanager.webapp.address")));
      sb.append(",\n  \"nodemanagers\": [");
      for (int i = 0; i < nodeManagers.size(); i++) {
        NodeManager nm = nodeManagers.get(i);
        Configuration nc = nm.getConfig();
        String host = nmHosts.get(i);
        // The NM's own conf keeps "host:0"; the bound ports live in its context.
        sb.append(i == 0 ? "\n" : ",\n").append("    {\"index\": ").append(i)
            .append(", \"host\": ").append(js(host))
            .append(", \"nodeId\": ").append(js(nm.getNMContext().getNodeId()))
            .append(", \"address\": ").append(js(host + ":" + nm.getNMContext().getNodeId().getPort()))
            .append(", \"web\": ").append(js("http://" + host + ":" + nm.getNMContext().getHttpPort()))
            .append(", \"localDirs\": ").append(js(nc.get("yarn.nodemanager.local-dirs")))
            .append(", \"logDirs\": ").append(js(nc.get("yarn.nodemanager.log-dirs")))
            .append("}");
      }
      sb.append("\n  ]");
    }
    sb.append("\n}\n");
    return sb.toString();
  }

  private void writeClusterJson() throws IOException {
    atomicWrite(runDir.resolve("cluster.json"), clusterJson());
  }

  private static void atomicWrite(Path p, String content) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  // ---- fault injection -------------------------------------------------------------------

  private synchronized String stopDataNode(int i) throws IOException {
    checkSlot(i);
    if (stoppedDn.get(i) != null) return "already stopped";
    int[] p = dnPorts.get(i);
    MiniDFSCluster.DataNodeProperties props = dfs.stopDataNode(LOOPBACK + ":" + p[0]);
    if (props == null) throw new IOException("DataNode " + i + " (xfer port " + p[0] + ") not found in the cluster");
    stoppedDn.set(i, props);
    writeClusterJson();
    return "stopped datanode " + i;
  }

  private synchronized String restartDataNode(int i) throws IOException {
    checkSlot(i);
    MiniDFSCluster.DataNodeProperties props = stoppedDn.get(i);
    if (props == null) return "already running";
    // keepPort keeps the data and IPC ports; also keep the HTTP (WebHDFS) port so URLs stay valid.
    Configuration dnConf = dataNodeConf(props);
    String oldHttp = dnConf == null ? null : dnConf.get("dfs.datanode.http.address");
    if (dnConf != null) dnConf.set("dfs.datanode.http.address", LOOPBACK + ":" + dnPorts.get(i)[1]);
    boolean ok;
    try {
      ok = dfs.restartDataNode(props, true);
    } catch (IOException e) {
      if (dnConf == null) throw e;
      LOG.warn("DataNode {} could not get its old HTTP port back; restarting on a new one", i, e);
      dnConf.set("dfs.datanode.http.address", oldHttp == null ? LOOPBACK + ":0" : oldHttp);
      ok = dfs.restartDataNode(props, true);
    }
    if (!ok) throw new IOException("restart of DataNode " + i + " failed");
    List<DataNode> all = dfs.getDataNodes();
    DataNode dn = all.get(all.size() - 1);
    dnSlots.set(i, dn);
    stoppedDn.set(i, null);
    dnPorts.set(i, new int[] {dn.getXferPort(), dn.getInfoPort(), dn.getIpcPort()});
    if (nameNodeRunning) dfs.waitActive();
    writeClusterJson();
    return "restarted datanode " + i;
  }

  /** DataNodeProperties.conf is package-private; reflection is fine for a test harness. */
  private static Configuration dataNodeConf(MiniDFSCluster.DataNodeProperties props) {
    try {
      java.lang.reflect.Field f = MiniDFSCluster.DataNodeProperties.class.getDeclaredField("conf");
      f.setAccessible(true);
      return (Configuration) f.get(props);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot reach the DataNode's configuration; its HTTP port will change on restart", e);
      return null;
    }
  }

  private void checkSlot(int i) {
    if (i < 0 || i >= dnSlots.size()) {
      throw new IllegalArgumentException("no DataNode " + i + " (have 0.." + (dnSlots.size() - 1) + ")");
    }
  }

  private synchronized String stopNameNode() throws IOException {
    if (!nameNodeRunning) return "already stopped";
    dfs.shutdownNameNode(0);
    nameNodeRunning = false;
    writeClusterJson();
    return "stopped namenode";
  }

  private synchronized String restartNameNode() throws IOException {
    if (nameNodeRunning) return "already running";
    dfs.restartNameNode(0, true);
    nameNodeRunning = true;
    writeClusterJson();
    return "restarted namenode";
  }

  private void startControl() throws IOException {
    control = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 16);
    control.setExecutor(Executors.newFixedThreadPool(2));
    control.createContext("/", this::handle);
    control.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery();
    int status = 200;
    String body;
    try {
      String[] parts = path.replaceAll("^/+", "").split("/");
      String cmd = parts[0];
      int idx = parts.length > 1 ? Integer.parseInt(parts[1]) : (query != null && query.startsWith("i=") ? Integer.parseInt(query.substring(2)) : -1);
      String msg;
      switch (cmd) {
        case "status": msg = null; break;
        case "stop-datanode": msg = stopDataNode(idx); break;
        case "restart-datanode": msg = restartDataNode(idx); break;
        case "stop-namenode": msg = stopNameNode(); break;
        case "restart-namenode": msg = restartNameNode(); break;
        case "shutdown":
          msg = "shutting down";
          new Thread(() -> System.exit(0), "tsflink-exit").start();
          break;
        default:
          throw new IllegalArgumentException("unknown command '" + cmd + "'; use status, stop-datanode/<i>, "
              + "restart-datanode/<i>, stop-namenode, restart-namenode, shutdown");
      }
      LOG.info("control: {} -> {}", path, msg);
      body = msg == null ? clusterJson() : "{\"ok\": true, \"message\": " + js(msg) + ", \"cluster\": " + clusterJson() + "}";
    } catch (Exception e) {
      LOG.warn("control: {} failed", path, e);
      status = e instanceof IllegalArgumentException ? 400 : 500;
      body = "{\"ok\": false, \"error\": " + js(e.toString()) + "}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private void shutdown() {
    LOG.info("shutting down test cluster");
    try {
      if (control != null) control.stop(0);
    } catch (Exception ignored) {
      // best effort
    }
    for (NodeManager nm : nodeManagers) {
      try {
        nm.stop();
      } catch (Exception e) {
        LOG.warn("NodeManager stop failed", e);
      }
    }
    try {
      if (yarn != null) yarn.stop();
    } catch (Exception e) {
      LOG.warn("YARN stop failed", e);
    }
    try {
      if (dfs != null) dfs.shutdown();
    } catch (Exception e) {
      LOG.warn("HDFS stop failed", e);
    }
    try {
      Files.deleteIfExists(runDir.resolve("cluster.json"));
      // Data on tmpfs holds RAM until removed.
      if (deleteDataOnExit) deleteRecursively(dataDir);
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
