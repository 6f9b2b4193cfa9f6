package io.kubeaccel.vgpu;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.ledger.CardShare;
import io.kubeaccel.core.ledger.ContainerRef;
import io.kubeaccel.core.sharing.ShareAllocator.Placed;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.core.spi.ContainerAllocation.Mount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HAMi-core's contract: the interception library {@code libvgpu.so} is preloaded into every process of the container
 * ({@code /etc/ld.so.preload}) and enforces the limits it reads from the environment: {@code
 * CUDA_DEVICE_MEMORY_LIMIT_<i>} per visible device and {@code CUDA_DEVICE_SM_LIMIT}; processes of one container share
 * their accounting through a cache file in a per-container directory. Whole-card containers get the cards and no
 * limits.
 */
public final class HamiCoreBackend implements EnforcementBackend {

  /** Where the library is mounted in the container. */
  static final String LIBRARY = "/usr/local/vgpu/libvgpu.so";
  /** The container's preload list, replaced by one naming the library. */
  static final String PRELOAD = "/etc/ld.so.preload";
  /** The per-container cache directory in the container. */
  static final String CACHE_DIR = "/usr/local/vgpu/cache";

  private static final Logger log = LoggerFactory.getLogger(HamiCoreBackend.class);

  private final Path hookPath;
  private final DeviceNodes deviceNodes;
  private final long memoryUnitBytes;

  public HamiCoreBackend(Path hookPath, DeviceNodes deviceNodes, long memoryUnitBytes) {
    this.hookPath = hookPath;
    this.deviceNodes = deviceNodes;
    this.memoryUnitBytes = memoryUnitBytes;
  }

  @Override
  public ContainerAllocation respond(Placed placed) {
    Map<String, String> envs = new LinkedHashMap<>();
    envs.put(
        "NVIDIA_VISIBLE_DEVICES",
        placed.cards().stream().map(Gpu::uuid).collect(Collectors.joining(",")));
    List<Mount> mounts = new ArrayList<>();
    if (!placed.grant().exclusive()) {
      CardShare share = placed.grant().shares().get(0);
      envs.put("CUDA_DEVICE_MEMORY_LIMIT_0", (share.memoryUnits() * memoryUnitBytes >> 20) + "m");
      envs.put("CUDA_DEVICE_SM_LIMIT", Integer.toString(Math.min(100, share.cores())));
      envs.put("CUDA_DEVICE_MEMORY_SHARED_CACHE", CACHE_DIR + "/vgpu.cache");
      Path cache = cacheDir(placed.grant().container());
      try {
        Files.createDirectories(cache);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot create the container's HAMi-core cache directory " + cache, e);
      }
      mounts.add(new Mount(LIBRARY, hookPath.resolve("libvgpu.so").toString(), true));
      mounts.add(new Mount(PRELOAD, hookPath.resolve("ld.so.preload").toString(), true));
      mounts.add(new Mount(CACHE_DIR, cache.toString(), false));
    }
    List<DeviceNode> devices = new ArrayList<>();
    for (Gpu card : placed.cards()) {
      String node = deviceNodes.cardNode(card.minor());
      devices.add(new DeviceNode(node, node, "rw"));
    }
    for (String control : deviceNodes.presentControlNodes()) {
      devices.add(new DeviceNode(control, control, "rw"));
    }
    return new ContainerAllocation(envs, mounts, devices, Map.of(), List.of());
  }

  @Override
  public void released(ContainerRef container) {
    Path cache = cacheDir(container);
    if (!Files.exists(cache)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(cache)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      log.warn("cache directory not removed dir={} reason=\"{}\"", cache, e.toString());
    }
  }

  /** {@code <hookPath>/containers/<pod UID>_<container>}: unique per container, stable across agent restarts. */
  Path cacheDir(ContainerRef container) {
    return hookPath.resolve("containers").resolve(container.podUid() + "_" + container.container());
  }
}
