package io.kubeaccel.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.kube.KubeClients;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.extender.AssignAt;
import io.kubeaccel.extender.ExtenderSettings;
import io.kubeaccel.extender.SchedulerExtender;
import io.kubeaccel.extender.TlsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The scheduler extender for vcuda-core and mps-core: serves kube-scheduler until SIGTERM. */
@Command(
    name = "extender",
    mixinStandardHelpOptions = true,
    description = {
      "Serve kube-scheduler's extender API (POST /scheduler/predicates, /scheduler/priorities, /scheduler/bind)"
          + " for tencent.com/vcuda-core and nvidia.com/mps-core: a node passes only if every container finds a"
          + " card with the cores and memory free, from the cards the node agents publish (kubeaccel.io/gpus).",
      "Per pod: kubeaccel.io/node-policy and kubeaccel.io/card-policy (binpack|spread), kubeaccel.io/gpu-model and"
          + " kubeaccel.io/gpu-model-exclude (comma-separated model substrings). Runs until SIGTERM."
    })
final class ExtenderCommand implements Callable<Integer> {

  @Option(
      names = "--address",
      paramLabel = "ADDRESS",
      defaultValue = "${env:EXTENDER_ADDRESS:-0.0.0.0}",
      description = "Address to listen on (env EXTENDER_ADDRESS). Default: ${DEFAULT-VALUE}.")
  String address;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "${env:EXTENDER_PORT:-3456}",
      description = "Port to listen on (env EXTENDER_PORT). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--tls-cert-file",
      paramLabel = "FILE",
      defaultValue = "${env:TLS_CERT_FILE}",
      description =
          "PEM certificate chain to serve HTTPS with, e.g. a kubernetes.io/tls Secret's tls.crt; read again when"
              + " it changes (renewals need no restart)"
              + " (env TLS_CERT_FILE); without it the extender serves plain HTTP.")
  Path certFile;

  @Option(
      names = "--tls-key-file",
      paramLabel = "FILE",
      defaultValue = "${env:TLS_KEY_FILE}",
      description =
          "Its PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted; env TLS_KEY_FILE).")
  Path keyFile;

  @Option(
      names = "--tls-client-ca-file",
      paramLabel = "FILE",
      defaultValue = "${env:TLS_CLIENT_CA_FILE}",
      description =
          "PEM CA certificates: clients must present a certificate they signed, except for the probes"
              + " /healthz and /readyz (env TLS_CLIENT_CA_FILE); read again when it changes."
              + " Default: any client.")
  Path clientCaFile;

  @Option(
      names = "--assign-at",
      paramLabel = "VERB",
      defaultValue = "${env:ASSIGN_AT:-filter}",
      converter = AssignAtConverter.class,
      description =
          "filter: predicates keeps only the best node and writes the pod's card annotations (scheduler"
              + " configurations without bindVerb, as gpu-admission); bind: predicates passes every node that"
              + " fits and bind writes the annotations and creates the Binding (bindVerb: bind)"
              + " (env ASSIGN_AT). Default: ${DEFAULT-VALUE}.")
  AssignAt assignAt;

  @Option(
      names = "--node-policy",
      paramLabel = "POLICY",
      defaultValue = "${env:NODE_POLICY:-binpack}",
      converter = PolicyConverter.class,
      description =
          "Default node policy, binpack (fullest node first) or spread; a pod's kubeaccel.io/node-policy"
              + " overrides it (env NODE_POLICY). Default: ${DEFAULT-VALUE}.")
  PlacementPolicy nodePolicy;

  @Option(
      names = "--card-policy",
      paramLabel = "POLICY",
      defaultValue = "${env:CARD_POLICY:-binpack}",
      converter = PolicyConverter.class,
      description =
          "Default card policy for shares, binpack (fullest card that fits) or spread; a pod's"
              + " kubeaccel.io/card-policy overrides it (env CARD_POLICY). Default: ${DEFAULT-VALUE}.")
  PlacementPolicy cardPolicy;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "BYTES",
      defaultValue = "${env:MAX_BODY_BYTES:-4194304}",
      description =
          "Largest request body; larger ones get HTTP 413 (env MAX_BODY_BYTES). Default: ${DEFAULT-VALUE}.")
  int maxBodyBytes;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:REQUEST_TIMEOUT:-30s}",
      converter = DurationConverter.class,
      description =
          "Longest a request may take to arrive and be answered, e.g. 30s (env REQUEST_TIMEOUT)."
              + " Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(
      names = "--assignment-ttl",
      paramLabel = "DURATION",
      defaultValue = "${env:ASSIGNMENT_TTL:-5m}",
      converter = DurationConverter.class,
      description =
          "How long cards granted to a pod that is not bound yet stay taken (env ASSIGNMENT_TTL)."
              + " Default: ${DEFAULT-VALUE}.")
  Duration assignmentTtl;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "${env:EXTENDER_THREADS:-8}",
      description = "Request worker threads (env EXTENDER_THREADS). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      defaultValue = "${env:KUBECONFIG}",
      description =
          "Kubeconfig file (env KUBECONFIG); without it the in-cluster service account is used.")
  Path kubeconfig;

  @Mixin
  LogOptions logging;

  /** Counted down to stop a running extender (in-process callers; the JVM's shutdown hook in production). */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws IOException, InterruptedException {
    logging.configure();
    Logger log = LoggerFactory.getLogger(ExtenderCommand.class);
    ExtenderSettings settings = settings();
    // Before any TLS class is loaded (the JDK reads it once): server sessions kept in the server's
    // cache rather than in stateless tickets, so that a reloaded client CA bundle can end them.
    System.setProperty(TlsSettings.SESSION_TICKETS_PROPERTY, "false");
    Config base = kubeconfig == null
        ? Config.autoConfigure(null)
        : Config.fromKubeconfig(kubeconfig.toFile());
    // The scheduler retries a failed bind itself: fail fast rather than hold its binding cycle.
    Config config = new ConfigBuilder(base)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(10_000)
        .build();
    KubernetesClient client = KubeClients.create(config, null);
    SchedulerExtender extender;
    try {
      extender = SchedulerExtender.start(client, settings);
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
    Thread hook = new Thread(
        () -> {
          extender.close();
          client.close();
        },
        "kubeaccel-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info(
        "extender running version={} port={} apiServer={}",
        Version.current(),
        extender.port(),
        config.getMasterUrl());
    try {
      stop.await();
    } finally {
      extender.close();
      client.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }
    return 0;
  }

  /** @throws IllegalArgumentException for TLS files named inconsistently or values out of range */
  ExtenderSettings settings() {
    TlsSettings tls = null;
    if (certFile != null || keyFile != null) {
      if (certFile == null || keyFile == null) {
        throw new IllegalArgumentException(
            "--tls-cert-file and --tls-key-file (env TLS_CERT_FILE, TLS_KEY_FILE) go together");
      }
      for (Path file : new Path[] {certFile, keyFile, clientCaFile}) {
        if (file != null && !Files.isReadable(file)) {
          throw new IllegalArgumentException("cannot read " + file);
        }
      }
      tls = new TlsSettings(certFile, keyFile, clientCaFile);
    } else if (clientCaFile != null) {
      throw new IllegalArgumentException(
          "--tls-client-ca-file needs --tls-cert-file and --tls-key-file: client certificates need HTTPS");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0 to 65535, got " + port);
    }
    InetSocketAddress listen = new InetSocketAddress(address, port);
    if (listen.isUnresolved()) {
      throw new IllegalArgumentException("--address " + address
          + " is not an IP address or a host name that resolves"
          + (address.contains(":") && !address.contains("::") ? " (the port goes in --port)" : ""));
    }
    return new ExtenderSettings(
        listen,
        tls,
        assignAt,
        nodePolicy,
        cardPolicy,
        maxBodyBytes,
        requestTimeout,
        assignmentTtl,
        threads,
        Version.current());
  }

  /** Parses bind|filter as a usage error when wrong. */
  static final class AssignAtConverter implements ITypeConverter<AssignAt> {
    @Override
    public AssignAt convert(String value) {
      try {
        return AssignAt.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Parses binpack|spread as a usage error when wrong. */
  static final class PolicyConverter implements ITypeConverter<PlacementPolicy> {
    @Override
    public PlacementPolicy convert(String value) {
      try {
        return PlacementPolicy.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Go-style durations as Kubernetes users write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = FORMAT.matcher(value.trim());
      if (!m.matches()) {
        throw new TypeConversionException(
            "\"" + value + "\" is not a duration such as 500ms, 30s, 5m or 1h");
      }
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
  }
}
