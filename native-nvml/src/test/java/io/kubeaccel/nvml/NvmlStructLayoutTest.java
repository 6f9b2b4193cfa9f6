package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Structure;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JNA structure has the size and field offsets of its C struct, as the fake library (whose header pins them to
 * nvml.h with static assertions) compiled them.
 */
class NvmlStructLayoutTest {
  /** C typedef name -> JNA mirror, and the size nvml.h gives it on LP64. */
  private static final Map<String, NvmlStructs.LayoutStruct> STRUCTS = Map.of(
      "nvmlPciInfo_t", new NvmlStructs.PciInfoStruct(),
      "nvmlMemory_t", new NvmlStructs.MemoryStruct(),
      "nvmlEventData_t", new NvmlStructs.EventDataStruct(),
      "nvmlUtilization_t", new NvmlStructs.UtilizationStruct(),
      "nvmlProcessInfo_t", new NvmlStructs.ProcessInfoStruct(),
      "nvmlProcessInfo_v1_t", new NvmlStructs.ProcessInfoV1Struct(),
      "nvmlProcessUtilizationSample_t", new NvmlStructs.ProcessUtilizationSampleStruct(),
      "nvmlDeviceAttributes_t", new NvmlStructs.DeviceAttributesStruct());

  private static final Map<String, Integer> SIZES = Map.of(
      "nvmlPciInfo_t", 68,
      "nvmlMemory_t", 24,
      "nvmlEventData_t", 32,
      "nvmlUtilization_t", 8,
      "nvmlProcessInfo_t", 24,
      "nvmlProcessInfo_v1_t", 16,
      "nvmlProcessUtilizationSample_t", 32,
      "nvmlDeviceAttributes_t", 40);

  @TempDir
  Path dir;

  private RawFakeLibrary raw;

  @BeforeEach
  void loadOwnCopy() {
    FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    raw = RawFakeLibrary.in(dir);
  }

  @Test
  void jnaStructuresHaveTheSizesOfTheCStructs() {
    STRUCTS.forEach((type, struct) -> assertThat(struct.size())
        .as(type)
        .isEqualTo(raw.kubeaccelFakeNvmlSizeof(type))
        .isEqualTo(SIZES.get(type)));
    assertThat(raw.kubeaccelFakeNvmlSizeof("nvmlUnknown_t")).isEqualTo(-1);
  }

  @Test
  void everyFieldSitsAtTheOffsetTheCCompilerGaveIt() {
    STRUCTS.forEach((type, struct) -> {
      for (String field :
          struct.getClass().getAnnotation(Structure.FieldOrder.class).value()) {
        assertThat(struct.offsetOf(field))
            .as(type + "." + field)
            .isEqualTo(raw.kubeaccelFakeNvmlOffsetof(type, field));
      }
    });
    // The padding NVML's layouts have on LP64: after a leading unsigned int, before an unsigned
    // long long.
    assertThat(raw.kubeaccelFakeNvmlOffsetof("nvmlProcessInfo_t", "usedGpuMemory"))
        .isEqualTo(8);
    assertThat(raw.kubeaccelFakeNvmlOffsetof("nvmlProcessInfo_v1_t", "usedGpuMemory"))
        .isEqualTo(8);
    assertThat(raw.kubeaccelFakeNvmlOffsetof("nvmlProcessUtilizationSample_t", "timeStamp"))
        .isEqualTo(8);
    assertThat(raw.kubeaccelFakeNvmlOffsetof("nvmlDeviceAttributes_t", "memorySizeMB"))
        .isEqualTo(32);
    assertThat(raw.kubeaccelFakeNvmlOffsetof("nvmlMemory_t", "nope")).isEqualTo(-1);
  }
}
