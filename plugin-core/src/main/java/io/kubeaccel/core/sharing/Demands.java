package io.kubeaccel.core.sharing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubeaccel.core.kube.PodRef;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads what a pod's containers ask of a {@link ShareFamily} from their resource limits. */
final class Demands {

  private Demands() {}

  /** The containers of {@code pod} that ask for the family's core or memory resource, in spec order. */
  static List<ContainerDemand> of(Pod pod, ShareFamily family) {
    List<ContainerDemand> demands = new ArrayList<>();
    List<Container> containers =
        pod.getSpec() == null ? List.of() : pod.getSpec().getContainers();
    PodRef ref = refOf(pod);
    for (int i = 0; i < containers.size(); i++) {
      Container container = containers.get(i);
      Map<String, Quantity> limits =
          container.getResources() == null || container.getResources().getLimits() == null
              ? Map.of()
              : container.getResources().getLimits();
      long cores = amount(limits.get(family.coreResource()));
      long memory = amount(limits.get(family.memoryResource()));
      if (cores > 0 || memory > 0) {
        demands.add(new ContainerDemand(
            ref, container.getName(), i, (int) Math.min(cores, Integer.MAX_VALUE), memory));
      }
    }
    return demands;
  }

  static PodRef refOf(Pod pod) {
    return new PodRef(
        pod.getMetadata().getUid(),
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName());
  }

  /** An extended resource's amount; they are whole numbers (the API server refuses fractions). */
  private static long amount(Quantity quantity) {
    if (quantity == null) {
      return 0;
    }
    BigDecimal value = Quantity.getAmountInBytes(quantity);
    return value.signum() <= 0 ? 0 : value.longValue();
  }
}
