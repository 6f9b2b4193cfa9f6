package io.kubeaccel.core.sharing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.nvml.ComputeCapability;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishedCardTest {

  static final ShareFamily VGPU = new ShareFamily(
      "vgpu",
      "tencent.com/vcuda-core",
      "tencent.com/vcuda-memory",
      256L << 20,
      "tencent.com/",
      1.0,
      1.0,
      true);

  static Gpu gpu(int index, String model, long memoryMiB) {
    return new Gpu(
        index,
        "GPU-" + index,
        model,
        index,
        "0000:0" + index + ":00.0",
        index / 2,
        memoryMiB << 20,
        new ComputeCapability(8, 0),
        Gpu.MigState.DISABLED,
        List.of());
  }

  @Test
  void readsWhatTheAgentsPublish() {
    Inventory inventory = Inventory.of(
            List.of(gpu(0, "NVIDIA A100-SXM4-40GB", 40960), gpu(1, "NVIDIA A100-SXM4-40GB", 40960)),
            Topology.unknown(2),
            null,
            Instant.EPOCH)
        .withHealth("GPU-1", Health.unhealthy("XID 79", Instant.EPOCH));
    String json =
        CapacityPublisher.json(VGPU, inventory, Map.of("GPU-0", new CardUse(30, 16, 2, false)));

    List<PublishedCard> cards = PublishedCard.parse(json);

    assertThat(cards).hasSize(2);
    PublishedCard first = cards.get(0);
    assertThat(first.uuid()).isEqualTo("GPU-0");
    assertThat(first.index()).isZero();
    assertThat(first.model()).isEqualTo("NVIDIA A100-SXM4-40GB");
    assertThat(first.memoryMiB()).isEqualTo(40960);
    assertThat(first.numa()).isZero();
    assertThat(first.healthy()).isTrue();
    assertThat(first.mode()).isEqualTo("vgpu");
    assertThat(first.coreResource()).isEqualTo("tencent.com/vcuda-core");
    assertThat(first.memoryResource()).isEqualTo("tencent.com/vcuda-memory");
    assertThat(first.cores()).isEqualTo(100);
    assertThat(first.memoryUnits()).isEqualTo(160);
    assertThat(first.publishedUse()).isEqualTo(new CardUse(30, 16, 2, false));
    assertThat(cards.get(1).healthy()).isFalse();
    assertThat(cards.get(1).publishedUse()).isEqualTo(new CardUse(0, 0, 0, false));
  }

  @Test
  void ignoresUnknownFieldsAndDefaultsOptionalOnes() {
    List<PublishedCard> cards = PublishedCard.parse(
        "[{\"uuid\":\"GPU-a\",\"index\":3,\"coreResource\":\"nvidia.com/mps-core\","
            + "\"memoryResource\":\"nvidia.com/mps-memory\",\"cores\":100,\"memoryUnits\":80,"
            + "\"future\":{\"x\":1}}]");

    assertThat(cards).singleElement().satisfies(card -> {
      assertThat(card.index()).isEqualTo(3);
      assertThat(card.healthy()).isTrue();
      assertThat(card.mig()).isFalse();
      assertThat(card.numa()).isEqualTo(-1);
      assertThat(card.usedCores()).isZero();
    });
  }

  @Test
  void refusesMalformedAnnotationsNamingTheCardAndField() {
    assertThatThrownBy(() -> PublishedCard.parse("{\"uuid\":1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a JSON array of cards");
    assertThatThrownBy(() -> PublishedCard.parse("[{"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> PublishedCard.parse(
            "[{\"uuid\":\"a\",\"index\":0,\"coreResource\":\"c\",\"memoryResource\":\"m\","
                + "\"cores\":\"lots\",\"memoryUnits\":1}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("card 0: \"cores\" must be a non-negative whole number");
    assertThatThrownBy(() -> PublishedCard.parse(
            "[{\"uuid\":\"a\",\"index\":0,\"coreResource\":\"c\",\"memoryResource\":\"m\","
                + "\"cores\":100,\"memoryUnits\":1},"
                + "{\"uuid\":\"b\",\"index\":0,\"coreResource\":\"c\",\"memoryResource\":\"m\","
                + "\"cores\":100,\"memoryUnits\":1}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("card 1: index 0 repeats");
    assertThatThrownBy(() -> PublishedCard.parse("[{\"index\":0}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("card 0: \"uuid\" must be a string");
  }
}
