package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.sharing.Assignment;
import io.kubeaccel.core.sharing.ContainerDemand;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code bind} verb: the cards on the node kube-scheduler picked (the ones reserved at filter, the ones the pod
 * already carries, or a new fit under the node's lock), the assignment annotations, then the Binding. A failed API
 * call gives the cards back.
 */
final class Binder {

  private static final Logger log = LoggerFactory.getLogger(Binder.class);

  private final ClusterState state;
  private final NodeFitter fitter;
  private final PodApi api;
  private final ExtenderSettings settings;
  private final ExtenderMetrics metrics;

  Binder(
      ClusterState state,
      NodeFitter fitter,
      PodApi api,
      ExtenderSettings settings,
      ExtenderMetrics metrics) {
    this.state = state;
    this.fitter = fitter;
    this.api = api;
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * {@code bind}: chooses the cards on {@code args.node()} (or takes the ones chosen at filter), writes the
   * assignment annotations, then creates the Binding. Returns the error for the scheduler, empty on success.
   */
  String bind(BindingArgs args) {
    state.expireReservations();
    String who = args.podNamespace() + "/" + args.podName();
    Pod pod;
    try {
      pod = api.get(args.podNamespace(), args.podName()).orElse(null);
    } catch (PodApi.PodApiException e) {
      return e.getMessage();
    }
    if (pod == null) {
      return "pod " + who + " does not exist";
    }
    if (!args.podUid().equals(pod.getMetadata().getUid())) {
      return "pod " + who + " is uid " + pod.getMetadata().getUid() + " now, not " + args.podUid();
    }
    String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (boundTo != null && !boundTo.isEmpty()) {
      return boundTo.equals(args.node()) ? "" : "pod " + who + " is already bound to " + boundTo;
    }
    PodRequest request;
    try {
      request = PodRequest.of(pod, settings.nodePolicy(), settings.cardPolicy()).orElse(null);
    } catch (PodRequest.InvalidPodException e) {
      return e.getMessage();
    }
    PodRef ref = PodRef.of(pod);
    if (request == null) {
      return createBinding(ref, args.node(), null, false);
    }
    Choice choice = state.underNodeLock(args.node(), () -> choose(request, pod, args.node()));
    if (choice.failure() != null) {
      metrics.grant(request.family().name(), "no_fit");
      log.info("bind refused pod={} node={} reason=\"{}\"", who, args.node(), choice.failure());
      return "node " + args.node() + ": " + choice.failure();
    }
    if (choice.annotate()) {
      try {
        api.annotate(pod, choice.reservation().annotations());
      } catch (PodApi.PodApiException e) {
        state.release(choice.reservation());
        metrics.grant(request.family().name(), "api_error");
        return e.getMessage();
      }
    }
    String error = createBinding(ref, args.node(), choice.reservation(), choice.annotate());
    if (error.isEmpty()) {
      metrics.grant(request.family().name(), "granted");
      log.info(
          "bound pod={} node={} cards={}",
          who,
          args.node(),
          choice.reservation() == null ? "as annotated" : choice.reservation().describeCards());
    } else {
      metrics.grant(request.family().name(), "api_error");
    }
    return error;
  }

  /** Cards for a bind, under the node's lock: the filter's reservation, the pod's own annotations, or a new fit. */
  private Choice choose(PodRequest request, Pod pod, String node) {
    Reservation earlier = state.reservation(request.pod().uid()).orElse(null);
    if (earlier != null && earlier.node().equals(node)) {
      return new Choice(earlier, !carries(pod, earlier), null);
    }
    if (earlier != null) {
      state.release(earlier);
    }
    if (annotatedFor(pod, request, node)) {
      return new Choice(
          null, false, null); // chosen at filter (maybe before a restart): counted as a claim
    }
    NodeVerdict verdict = fitter.check(request, request.shape(), node, false);
    if (verdict instanceof NodeVerdict.Fails fails) {
      return new Choice(null, false, fails.reason());
    }
    Reservation reservation =
        Reservation.of(request, node, (NodeVerdict.Fits) verdict, state.nowNanos());
    state.reserve(reservation);
    return new Choice(reservation, true, null);
  }

  /** What {@link #choose} decided: a reservation and whether to annotate, or why not. */
  private record Choice(Reservation reservation, boolean annotate, String failure) {}

  private String createBinding(
      PodRef pod, String node, Reservation reservation, boolean annotated) {
    try {
      api.bind(pod, node);
      return "";
    } catch (PodApi.PodApiException e) {
      if (reservation != null) {
        state.release(reservation);
        if (annotated) {
          try {
            api.removeAnnotations(pod, reservation.annotations().keySet());
          } catch (PodApi.PodApiException cleanup) {
            log.warn(
                "assignment left on unbound pod pod={} reason=\"{}\"", pod, cleanup.getMessage());
          }
        }
      }
      return e.getMessage();
    }
  }

  /** Whether the pod already carries an unexpired assignment to {@code node} for every asking container. */
  private boolean annotatedFor(Pod pod, PodRequest request, String node) {
    Assignment assignment =
        Assignment.read(request.family(), pod.getMetadata().getAnnotations()).orElse(null);
    if (assignment == null || assignment.assigned() || !node.equals(assignment.node())) {
      return false;
    }
    if (NodeUsage.plus(assignment.timeNanos(), settings.assignmentTtl().toNanos())
        <= state.nowNanos()) {
      return false;
    }
    for (ContainerDemand demand : request.demands()) {
      List<Integer> cards = assignment.cardsByContainer().get(demand.index());
      int expected = demand.wholeCards() ? demand.cardCount() : 1;
      if (cards == null || cards.size() != expected) {
        return false;
      }
    }
    return true;
  }

  private static boolean carries(Pod pod, Reservation reservation) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null
        && reservation.annotations().entrySet().stream()
            .allMatch(e -> e.getValue().equals(annotations.get(e.getKey())));
  }
}
