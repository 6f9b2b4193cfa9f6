package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short, log-friendly descriptions of API failures: an unreachable API server is expected, not a stack trace. */
final class ApiErrors {

  static final int NOT_FOUND = 404;

  private ApiErrors() {}

  /** The HTTP status of a failed API call, or 0 when no response came back (connection refused, timeout). */
  static int httpCode(Throwable failure) {
    Throwable t = unwrap(failure);
    return t instanceof KubernetesClientException kce ? kce.getCode() : 0;
  }

  /** {@code http=503 <status message>}, or the root cause when no response came back. */
  static String describe(Throwable failure) {
    Throwable t = unwrap(failure);
    if (!(t instanceof KubernetesClientException kce)) {
      return t.getClass().getSimpleName()
          + (t.getMessage() == null ? "" : ": " + firstLine(t.getMessage()));
    }
    if (kce.getCode() > 0) {
      String message = kce.getStatus() == null ? null : kce.getStatus().getMessage();
      return "http=" + kce.getCode()
          + (message == null || message.isEmpty() ? "" : " " + firstLine(message));
    }
    Throwable root = kce;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + firstLine(root.getMessage());
    return "unreachable " + root.getClass().getSimpleName() + message;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    String line = newline < 0 ? text : text.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
