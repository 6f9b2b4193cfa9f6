package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extender's three verbs as decisions over the {@link ClusterState}: which nodes a pod fits (predicates), how
 * well (priorities), and which cards it gets on the chosen node (bind, or filter in filter-only configurations). A
 * grant is decided under its node's lock and counted as a reservation before any API call, so concurrent requests
 * never hand out the same free capacity twice.
 */
final class Extender {

  private static final Logger log = LoggerFactory.getLogger(Extender.class);
  /** In filter-only mode, how many of the best nodes are tried when capacity went away meanwhile. */
  private static final int NARROW_ATTEMPTS = 3;

  private final ClusterState state;
  private final NodeFitter fitter;
  private final PodApi api;
  private final ExtenderSettings settings;
  private final ExtenderMetrics metrics;
  private final BooleanSupplier synced;
  private final Binder binder;

  Extender(
      ClusterState state,
      PodApi api,
      ExtenderSettings settings,
      ExtenderMetrics metrics,
      BooleanSupplier synced) {
    this.state = state;
    this.fitter = new NodeFitter(state);
    this.api = api;
    this.settings = settings;
    this.metrics = metrics;
    this.synced = synced;
    this.binder = new Binder(state, fitter, api, settings, metrics);
  }

  /** {@code predicates}: the nodes where every container of the pod finds its card(s). */
  FilterResult filter(ExtenderArgs args) {
    state.expireReservations();
    List<String> nodes = args.nodeNames();
    if (!synced.getAsBoolean()) {
      return FilterResult.error(
          "the extender's node and pod caches have not synced with the API server yet");
    }
    PodRequest request;
    try {
      request = PodRequest.of(args.pod(), settings.nodePolicy(), settings.cardPolicy())
          .orElse(null);
    } catch (PodRequest.InvalidPodException e) {
      return FilterResult.allUnresolvable(nodes, e.getMessage());
    }
    if (request == null) {
      return FilterResult.allPass(nodes);
    }
    // A new scheduling attempt: whatever an earlier attempt of this pod was granted is void.
    state.release(request.pod().uid());
    String shape = request.shape();
    Map<String, NodeVerdict> verdicts = new LinkedHashMap<>();
    for (String node : nodes) {
      verdicts.computeIfAbsent(node, n -> fitter.check(request, shape, n, true));
    }
    FilterResult result = settings.assignAt() == AssignAt.FILTER
        ? narrow(args.pod(), request, verdicts)
        : result(verdicts, null, null);
    metrics.filtered(request.family().name(), "passed", result.passing().size());
    metrics.filtered(request.family().name(), "failed", result.failed().size());
    metrics.filtered(
        request.family().name(), "unresolvable", result.unresolvable().size());
    if (result.passing().isEmpty() && result.error().isEmpty()) {
      log.info(
          "pod fits no node pod={}/{} nodes={} example=\"{}\"",
          request.pod().namespace(),
          request.pod().name(),
          nodes.size(),
          firstReason(result));
    }
    return result;
  }

  /** {@code priorities}: 0..10 per node by the pod's node policy; 0 where it does not fit. */
  List<HostPriority> prioritize(ExtenderArgs args) {
    List<HostPriority> scores = new ArrayList<>();
    PodRequest request = null;
    if (synced.getAsBoolean()) {
      try {
        request = PodRequest.of(args.pod(), settings.nodePolicy(), settings.cardPolicy())
            .orElse(null);
      } catch (PodRequest.InvalidPodException e) {
        request = null;
      }
    }
    String shape = request == null ? null : request.shape();
    for (String node : args.nodeNames()) {
      int score = 0;
      if (request != null
          && fitter.check(request, shape, node, true) instanceof NodeVerdict.Fits fits) {
        score = fits.score();
      }
      scores.add(new HostPriority(node, score));
    }
    return scores;
  }

  /** {@code bind}: see {@link Binder#bind}. */
  String bind(BindingArgs args) {
    return binder.bind(args);
  }

  /**
   * Filter-only: keeps the best node that still fits under its lock, reserves its cards and annotates the pod; every
   * other node fails.
   */
  private FilterResult narrow(Pod pod, PodRequest request, Map<String, NodeVerdict> verdicts) {
    List<String> best = verdicts.entrySet().stream()
        .filter(e -> e.getValue() instanceof NodeVerdict.Fits)
        .sorted(Comparator.comparingInt(
                (Map.Entry<String, NodeVerdict> e) -> -((NodeVerdict.Fits) e.getValue()).score())
            .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey)
        .limit(NARROW_ATTEMPTS)
        .toList();
    for (String node : best) {
      Reservation reservation = state.underNodeLock(node, () -> {
        NodeVerdict now = fitter.check(request, request.shape(), node, false);
        if (now instanceof NodeVerdict.Fits fits) {
          Reservation granted = Reservation.of(request, node, fits, state.nowNanos());
          state.reserve(granted);
          return granted;
        }
        verdicts.put(node, now);
        return null;
      });
      if (reservation == null) {
        metrics.grant(request.family().name(), "no_fit");
        continue;
      }
      try {
        api.annotate(pod, reservation.annotations());
      } catch (PodApi.PodApiException e) {
        state.release(reservation);
        metrics.grant(request.family().name(), "api_error");
        return FilterResult.error(e.getMessage());
      }
      metrics.grant(request.family().name(), "granted");
      log.info(
          "assigned at filter pod={}/{} node={} cards={}",
          request.pod().namespace(),
          request.pod().name(),
          node,
          reservation.describeCards());
      return result(
          verdicts,
          node,
          "pod " + request.pod().namespace() + "/" + request.pod().name()
              + " has already been matched to node " + node);
    }
    return result(verdicts, null, null);
  }

  /**
   * The filter answer for {@code verdicts}; when {@code only} is set, that node alone passes and the other nodes
   * that fit fail with {@code othersReason}.
   */
  private static FilterResult result(
      Map<String, NodeVerdict> verdicts, String only, String othersReason) {
    List<String> passing = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, String> unresolvable = new LinkedHashMap<>();
    verdicts.forEach((node, verdict) -> {
      if (verdict instanceof NodeVerdict.Fails fails) {
        (fails.unresolvable() ? unresolvable : failed).put(node, fails.reason());
      } else if (only == null || only.equals(node)) {
        passing.add(node);
      } else {
        failed.put(node, othersReason);
      }
    });
    return new FilterResult(passing, failed, unresolvable, "");
  }

  private static String firstReason(FilterResult result) {
    return result.unresolvable().values().stream()
        .findFirst()
        .orElse(result.failed().values().stream().findFirst().orElse(""));
  }
}
