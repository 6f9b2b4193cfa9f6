package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * fabric8's mock API server in CRUD mode, with what these tests need on top: a log of every request, waiting for
 * requests to arrive, and injected failures (an outage, or the next N matching requests answered 500).
 */
final class MockApiServer implements AutoCloseable {

  /** One request as the server saw it; {@code path} is URL-decoded and includes the query. */
  record Request(String method, String path, boolean refused) {}

  private final KubernetesMockServer server;
  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition requestArrived = lock.newCondition();
  // Guarded by lock.
  private final List<Request> requests = new ArrayList<>();
  private boolean down;
  private Predicate<Request> failWhen = request -> false;
  private int failuresLeft;

  MockApiServer() {
    server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new FaultyDispatcher(), false);
    server.init();
  }

  /**
   * A client that does not retry on its own (so the code under test must) and reconnects its informers quickly; the
   * caller closes it.
   */
  KubernetesClient newClient() {
    return server.createClient(builder -> builder
        .withKubernetesSerialization(KubeClients.serialization())
        .editOrNewConfig()
        .withRequestRetryBackoffLimit(0)
        .withWatchReconnectInterval(50)
        .withRequestTimeout(5_000)
        .endConfig());
  }

  /** Every request is answered 503 until {@link #up()}. */
  void down() {
    lock.lock();
    try {
      down = true;
    } finally {
      lock.unlock();
    }
  }

  void up() {
    lock.lock();
    try {
      down = false;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@code count} requests matching {@code which} are answered 500. */
  void failNext(int count, Predicate<Request> which) {
    lock.lock();
    try {
      failuresLeft = count;
      failWhen = which;
    } finally {
      lock.unlock();
    }
  }

  static Predicate<Request> method(String method, String pathPrefix) {
    return request -> request.method.equals(method) && request.path.startsWith(pathPrefix);
  }

  /** How many requests matching {@code which} arrived so far. */
  long count(Predicate<Request> which) {
    lock.lock();
    try {
      return requests.stream().filter(which).count();
    } finally {
      lock.unlock();
    }
  }

  List<Request> requests() {
    lock.lock();
    try {
      return List.copyOf(requests);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until at least {@code n} requests matching {@code which} have arrived; false on timeout. */
  boolean awaitRequests(Predicate<Request> which, int n, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (requests.stream().filter(which).count() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        requestArrived.await(left, TimeUnit.NANOSECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the server. Call it before closing informers: fabric8 8.0.0's mock server can deadlock its event loop for
   * 10 s when a client closes a watch while an event is being sent (WatchEventsListener.onClosed waits for its
   * sender thread, which waits for the event loop), and then fails to shut down.
   */
  @Override
  public void close() {
    server.destroy();
  }

  private final class FaultyDispatcher extends Dispatcher {
    @Override
    public void shutdown() {
      crud.shutdown();
    }

    @Override
    public void releaseResources() {
      crud.releaseResources();
    }

    @Override
    public MockResponse dispatch(RecordedRequest recorded) {
      String path = URLDecoder.decode(recorded.getPath(), StandardCharsets.UTF_8);
      boolean refuse;
      int status;
      lock.lock();
      try {
        Request probe = new Request(recorded.getMethod(), path, false);
        if (down) {
          refuse = true;
          status = 503;
        } else if (failuresLeft > 0 && failWhen.test(probe)) {
          failuresLeft--;
          refuse = true;
          status = 500;
        } else {
          refuse = false;
          status = 0;
        }
        requests.add(new Request(recorded.getMethod(), path, refuse));
        requestArrived.signalAll();
      } finally {
        lock.unlock();
      }
      if (refuse) {
        return new MockResponse()
            .setResponseCode(status)
            .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
                + status + ",\"message\":\"injected failure\"}");
      }
      return crud.dispatch(recorded);
    }
  }
}
