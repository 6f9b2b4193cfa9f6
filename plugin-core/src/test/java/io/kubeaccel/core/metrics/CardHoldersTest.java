package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.CardIds;
import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.MigDevice;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.ledger.CardShare;
import io.kubeaccel.core.ledger.ContainerRef;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.ListedContainer;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.ledger.PodResourcesException;
import io.kubeaccel.core.metrics.CardHolders.CardHolding;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which container holds which card: device IDs of the kubelet's PodResources, or the shared modes' ledger. */
class CardHoldersTest {

  private static final String CARD_0 = "GPU-11111111-2222-3333-4444-555555555555";
  private static final String CARD_1 = "GPU-66666666-7777-8888-9999-000000000000";
  private static final String MIG_1 = "MIG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

  private static Inventory inventory() {
    Gpu whole = new Gpu(
        0,
        CARD_0,
        "NVIDIA A100-SXM4-40GB",
        0,
        "0000:07:00.0",
        0,
        40L << 30,
        new ComputeCapability(8, 0),
        Gpu.MigState.DISABLED,
        List.of());
    Gpu mig = new Gpu(
        1,
        CARD_1,
        "NVIDIA A100-SXM4-40GB",
        1,
        "0000:0f:00.0",
        0,
        40L << 30,
        new ComputeCapability(8, 0),
        Gpu.MigState.ENABLED,
        List.of(new MigDevice(MIG_1, 0, "1g.5gb", 7, 0, 4864L << 20)));
    return Inventory.of(
        List.of(whole, mig),
        Topology.unknown(2),
        new DriverInfo("550.54.15", new CudaVersion(12, 4)),
        Instant.EPOCH);
  }

  @Test
  void deviceIdsNameTheirCardAsUuidReplicaMigDeviceOrSlice() {
    Inventory inventory = inventory();
    assertThat(CardIds.cardOf("nvidia.com/gpu", CARD_0, inventory)).contains(CARD_0);
    assertThat(CardIds.cardOf("nvidia.com/gpu", CARD_0 + "::3", inventory)).contains(CARD_0);
    assertThat(CardIds.cardOf("nvidia.com/gpu", CARD_0 + "-vcore-17", inventory))
        .contains(CARD_0);
    assertThat(CardIds.cardOf("nvidia.com/gpu", MIG_1, inventory)).contains(CARD_1);
    assertThat(CardIds.cardOf("nvidia.com/gpu", "GPU-unknown", inventory)).isEmpty();
    assertThat(CardIds.cardOf("nvidia.com/gpu", CARD_0 + "7", inventory)).isEmpty();
  }

  @Test
  void nvidiasIndexIdsNameTheCardOfThatIndexAndNoOtherResourcesDo() {
    Inventory inventory = inventory();
    assertThat(CardIds.cardOf("nvidia.com/gpu", "0", inventory)).contains(CARD_0);
    assertThat(CardIds.cardOf("nvidia.com/gpu", "1:0", inventory)).as("MIG").contains(CARD_1);
    assertThat(CardIds.cardOf("nvidia.com/shared-a100", "0::2", inventory))
        .as("a renamed replica")
        .contains(CARD_0);
    assertThat(CardIds.cardOf("nvidia.com/gpu", "7", inventory))
        .as("no such card")
        .isEmpty();
    assertThat(CardIds.cardOf("example.com/fpga", "0", inventory)).isEmpty();
    assertThat(CardIds.cardOf("nvidia.com/rdma_shared_device_a", "0000:3b:00.2", inventory))
        .isEmpty();
    assertThat(CardIds.cardOf("nvidia.com/rdma_shared_device_a", "1", inventory))
        .as("the RDMA shared-device plugin numbers its devices too")
        .isEmpty();
    assertThat(CardIds.cardOf("nvidia.com/shared-a100", "1", inventory))
        .as("a plain index under another name is not a card")
        .isEmpty();
  }

  @Test
  void aContainerHoldingSeveralIdsOfACardHoldsItOnce() {
    List<ListedContainer> listed = List.of(
        new ListedContainer(
            "ns",
            "pod-a",
            "main",
            Map.of("nvidia.com/gpu", List.of(CARD_0 + "::0", CARD_0 + "::1"))),
        new ListedContainer("ns", "pod-b", "main", Map.of("nvidia.com/mig-1g.5gb", List.of(MIG_1))),
        new ListedContainer("ns", "pod-c", "sidecar", Map.of()));

    assertThat(PodResourcesHolders.cardsHeld(listed, inventory()))
        .containsExactly(
            new CardHolding("ns", "pod-a", "main", CARD_0),
            new CardHolding("ns", "pod-b", "main", CARD_1));
  }

  @Test
  void theLedgerGivesTheCardsTheSharedModesGranted(@TempDir Path dir) throws Exception {
    Ledger ledger = Ledger.open(dir.resolve("checkpoint.json"), Clock.systemUTC());
    ledger.record(new Grant(
        new ContainerRef("uid-1", "ns", "infer", "server"),
        Grant.VGPU,
        List.of(new CardShare(CARD_0, 0, 30, 8), new CardShare("GPU-gone", 5, 10, 1)),
        false,
        Instant.EPOCH));

    assertThat(CardHolders.fromLedger(ledger).holdings(inventory()))
        .contains(List.of(new CardHolding("ns", "infer", "server", CARD_0)));
  }

  @Test
  void aKubeletThatDoesNotAnswerLeavesHoldersUnknown(@TempDir Path dir) {
    try (CardHolders holders =
        CardHolders.fromPodResources(dir.resolve("none.sock"), Duration.ofSeconds(1))) {
      assertThat(holders.holdings(inventory())).isEmpty();
    }
  }

  /** Holders on the agent's own client ask through it and leave closing it to the agent. */
  @Test
  void aSharedClientIsUsedAndNotClosed(@TempDir Path dir) {
    try (PodResourcesClient client =
        new PodResourcesClient(dir.resolve("none.sock"), Duration.ofSeconds(1))) {
      CardHolders holders = CardHolders.fromPodResources(client);
      assertThat(holders.holdings(inventory())).isEmpty();
      holders.close();
      assertThatThrownBy(client::list)
          .as("still open: the kubelet is what is missing")
          .isInstanceOf(PodResourcesException.class)
          .hasMessageContaining("UNAVAILABLE")
          .hasMessageNotContaining("shutdown");
    }
  }
}
