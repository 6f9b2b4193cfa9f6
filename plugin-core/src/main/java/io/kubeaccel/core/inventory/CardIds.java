package io.kubeaccel.core.inventory;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which card a device ID that the kubelet lists (PodResources) names, whatever mode or plugin advertised it: whole
 * cards, time-sliced replicas ({@code <uuid>::n}), vGPU slices ({@code <uuid>-vcore-n}), MIG devices by their UUID,
 * and, for NVIDIA's GPU resources with {@code --device-id-strategy=index}, cards by index ({@code 2}, MIG {@code 2:1},
 * replica {@code 2::0}, the last also under a renamed resource).
 */
public final class CardIds {

  private static final Pattern INDEX_ID = Pattern.compile("(\\d+)(:\\d+)?(::\\d+)?");

  private CardIds() {}

  /** The UUID of the card {@code deviceId} of {@code resource} names, if it names one of {@code inventory}'s. */
  public static Optional<String> cardOf(String resource, String deviceId, Inventory inventory) {
    for (Gpu gpu : inventory.gpus()) {
      if (names(deviceId, gpu.uuid())) {
        return Optional.of(gpu.uuid());
      }
      for (MigDevice mig : gpu.migDevices()) {
        if (names(deviceId, mig.uuid())) {
          return Optional.of(gpu.uuid());
        }
      }
    }
    Matcher index = INDEX_ID.matcher(deviceId);
    // Index IDs only where NVIDIA's GPU plugin uses them: its GPU and MIG resources, and replicas
    // ("N::i") under any name time-slicing renamed them to. Other plugins under nvidia.com/ (RDMA
    // shared devices) also number their devices "0", "1", ...: those never name a card.
    boolean gpuResource =
        resource.equals("nvidia.com/gpu") || resource.startsWith("nvidia.com/mig-");
    boolean replica =
        resource.startsWith("nvidia.com/") && index.matches() && index.group(3) != null;
    if ((gpuResource || replica) && index.matches() && index.group(1).length() < 6) {
      int card = Integer.parseInt(index.group(1));
      return inventory.gpus().stream()
          .filter(gpu -> gpu.index() == card)
          .map(Gpu::uuid)
          .findFirst();
    }
    return Optional.empty();
  }

  /** The ID is the UUID, or starts with it before a separator. */
  private static boolean names(String deviceId, String uuid) {
    return deviceId.equals(uuid)
        || (deviceId.startsWith(uuid)
            && !Character.isLetterOrDigit(deviceId.charAt(uuid.length())));
  }
}
