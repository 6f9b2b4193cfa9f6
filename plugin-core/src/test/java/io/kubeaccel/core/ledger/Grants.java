package io.kubeaccel.core.ledger;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Small grants for tests. */
final class Grants {

  static final Instant T0 = Instant.parse("2026-11-23T12:00:00.123456789Z");

  private Grants() {}

  static ContainerRef ref(String pod, String container) {
    return new ContainerRef("uid-" + pod, "team", pod, container);
  }

  static CardShare share(int card, int cores, long memoryUnits) {
    return new CardShare(uuid(card), card, cores, memoryUnits);
  }

  static String uuid(int card) {
    return "GPU-0000000" + card + "-aaaa-bbbb-cccc-dddddddddddd";
  }

  /** A vGPU share of one card. */
  static Grant shared(String pod, int card, int cores, long memoryUnits) {
    return new Grant(
        ref(pod, "main"), Grant.VGPU, List.of(share(card, cores, memoryUnits)), false, T0);
  }

  /** Whole cards, exclusively, for the vGPU family (100 cores and {@code memoryUnits} each). */
  static Grant whole(String pod, long memoryUnits, int... cards) {
    List<CardShare> shares =
        Arrays.stream(cards).mapToObj(card -> share(card, 100, memoryUnits)).toList();
    return new Grant(ref(pod, "main"), Grant.VGPU, shares, true, T0);
  }
}
