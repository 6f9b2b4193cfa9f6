package io.kubeaccel.agent.doctor;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubeaccel.core.kube.KubeClients;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The Kubernetes API as doctor reaches it: one client, made on first use and shared by the checks that need it, and
 * the name of the node being checked. Short timeouts and no retries, so an unreachable API server costs a few
 * seconds, not the client's default minute of back-off.
 */
public final class KubeAccess implements AutoCloseable {

  /** Connect timeout: an API server that does not accept a connection within this is reported unreachable. */
  static final int CONNECT_TIMEOUT_MS = 5_000;
  /** Request timeout for each call. */
  static final int REQUEST_TIMEOUT_MS = 10_000;

  private final Supplier<KubernetesClient> factory;
  private final boolean owned;
  private final String nodeName;
  private final String nodeNameSource;
  private KubernetesClient client;
  private RuntimeException clientError;

  private KubeAccess(
      Supplier<KubernetesClient> factory, boolean owned, String nodeName, String nodeNameSource) {
    this.factory = factory;
    this.owned = owned;
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.nodeNameSource = Objects.requireNonNull(nodeNameSource, "nodeNameSource");
  }

  /**
   * A client configured the way fabric8 configures itself ({@code KUBECONFIG}, {@code ~/.kube/config}, the pod's
   * service account), or from {@code kubeconfig} when given.
   *
   * @param nodeName the node to check, as the API server names it
   * @param nodeNameSource where the name came from, for messages (e.g. {@code --node-name})
   */
  public static KubeAccess fromKubeconfig(
      Optional<Path> kubeconfig, String nodeName, String nodeNameSource) {
    return new KubeAccess(
        () -> {
          Config base = kubeconfig
              .map(file -> Config.fromKubeconfig(file.toFile()))
              .orElseGet(() -> Config.autoConfigure(null));
          Config config = new ConfigBuilder(base)
              .withRequestRetryBackoffLimit(0)
              .withConnectionTimeout(CONNECT_TIMEOUT_MS)
              .withRequestTimeout(REQUEST_TIMEOUT_MS)
              .build();
          return KubeClients.create(config, null);
        },
        true,
        nodeName,
        nodeNameSource);
  }

  /** An existing client (not closed by {@link #close()}), e.g. a mock server's. */
  public static KubeAccess using(KubernetesClient client, String nodeName) {
    Objects.requireNonNull(client, "client");
    return new KubeAccess(() -> client, false, nodeName, "given");
  }

  /** The node being checked. */
  public String nodeName() {
    return nodeName;
  }

  /** Where {@link #nodeName()} came from, e.g. {@code NODE_NAME} or {@code the host name}. */
  public String nodeNameSource() {
    return nodeNameSource;
  }

  /**
   * The client, made on the first call.
   *
   * @throws KubernetesClientException "no usable kubeconfig: ..." when no client can be configured (e.g. an
   *     unreadable kubeconfig), on this and every later call
   */
  public synchronized KubernetesClient client() {
    if (client == null && clientError == null) {
      try {
        client = factory.get();
      } catch (RuntimeException e) {
        clientError = e;
      }
    }
    if (clientError != null) {
      throw new KubernetesClientException(
          "no usable kubeconfig: " + clientError.getMessage(), clientError);
    }
    return client;
  }

  /**
   * Whether {@code e} says the API server could not be reached at all (connection refused or timed out, no route,
   * unknown host, no kubeconfig), as opposed to an answer from it.
   */
  static boolean unreachable(KubernetesClientException e) {
    // No HTTP status: the request never got an answer (refused, timed out, no route, unknown host).
    return e.getCode() <= 0;
  }

  /** Why a call failed, in words: the API server's status message, or what stopped the connection. */
  static String reason(KubernetesClientException e) {
    if (e.getCode() > 0) {
      String message = e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage()
          : e.getMessage();
      return "HTTP " + e.getCode() + ": " + message;
    }
    // The JDK's HTTP client wraps the cause in layers without messages; name the most telling one.
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
        return "its host name does not resolve";
      }
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpTimeoutException || cause instanceof SocketTimeoutException) {
        return "timed out";
      }
      if (cause instanceof SSLException) {
        return "TLS failed: " + cause.getMessage();
      }
      if (cause instanceof ConnectException) {
        return "connection refused";
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  /** Whether making the client failed (no usable kubeconfig), as opposed to the API server failing a call. */
  synchronized boolean unconfigured() {
    return clientError != null;
  }

  /** The API server's URL, once the client is made; for messages. */
  synchronized String server() {
    return client == null ? "(no client)" : client.getConfiguration().getMasterUrl();
  }

  @Override
  public synchronized void close() {
    if (owned && client != null) {
      client.close();
    }
  }
}
