package io.kubeaccel.core.sharing;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.spi.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a whole pod fits a node's cards, container by container, with the same rules ({@link ShareRules}) and the
 * same card choice ({@link CardPool#place}) the node agents apply: what the scheduler extender decides per node.
 * Each container's cards are taken before the next container is placed, so two containers of one pod never count
 * the same free share.
 */
public final class PodFit {

  private PodFit() {}

  /** The outcome for one node. */
  public sealed interface Result permits Fits, NoFit {}

  /**
   * Every container placed.
   *
   * @param containers each asking container with its card indexes, in container order
   * @param after the pool with the pod's containers granted
   */
  public record Fits(List<ContainerCards> containers, CardPool after) implements Result {
    public Fits {
      containers = List.copyOf(containers);
    }
  }

  /**
   * A container does not fit.
   *
   * @param reason for a person, naming the container and the best card, e.g. {@code container main: no single GPU
   *     has 80 free tencent.com/vcuda-core and 8 free tencent.com/vcuda-memory; best: GPU 0 with 60/100 cores and
   *     56/64 memory units free}
   * @param unresolvable true when the request breaks a rule on this node (an amount no card of it can ever hold, an
   *     invalid amount), so freeing capacity would not help; false when the cards are merely too full
   */
  public record NoFit(String reason, boolean unresolvable) implements Result {}

  /**
   * One container's cards.
   *
   * @param demand what the container asks
   * @param cardIndexes the NVML indexes of its cards: one for a share, several for whole cards
   */
  public record ContainerCards(ContainerDemand demand, List<Integer> cardIndexes) {
    public ContainerCards {
      cardIndexes = List.copyOf(cardIndexes);
    }
  }

  /** The containers of {@code pod} that ask for {@code family}'s resources, from their limits, in spec order. */
  public static List<ContainerDemand> demands(Pod pod, ShareFamily family) {
    return Demands.of(pod, family);
  }

  /**
   * Places {@code demands} on {@code pool} one after the other with {@code policy} for shares; whole cards by the
   * pool's topology (index order for a pool built from published cards).
   */
  public static Result fit(
      ShareFamily family, CardPool pool, List<ContainerDemand> demands, PlacementPolicy policy) {
    List<ContainerCards> placed = new ArrayList<>();
    CardPool current = pool;
    for (ContainerDemand demand : demands) {
      try {
        ShareRules.checkDemand(family, demand, current);
      } catch (InvalidRequestException e) {
        return new NoFit(e.getMessage(), true);
      }
      Optional<List<CardState>> chosen = current.choose(demand, policy);
      if (chosen.isEmpty()) {
        return new NoFit("container " + demand.container() + ": " + current.noFit(demand), false);
      }
      List<CardState> cards = chosen.get();
      placed.add(
          new ContainerCards(demand, cards.stream().map(c -> c.gpu().index()).toList()));
      current = current.granted(demand, cards);
    }
    return new Fits(placed, current);
  }
}
