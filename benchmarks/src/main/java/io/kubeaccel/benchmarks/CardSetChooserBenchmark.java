package io.kubeaccel.benchmarks;

import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.topology.CardSet;
import io.kubeaccel.core.topology.CardSetChooser;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long one GetPreferredAllocation decision takes: {@link CardSetChooser#choose} with the kubelet's typical
 * requests, validation included. Sample time, so the p50/p99 of single calls come out (targets: p99 <= 0.1 ms on 8
 * GPUs, <= 1 ms on 16). NVIDIA's plugin takes 0.8 ms p50 / 2 ms p99 on the fake 8-GPU cube-mesh, re-reading NVML.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CardSetChooserBenchmark}; JMH's usual options (-f, -wi,
 * -i, -r, -p request=...) apply.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class CardSetChooserBenchmark {

  /** Which machine and which request: {@code <machine>/<availability>/<must-include>/<size>}. */
  @Param({
    "dgx1/all-free/none/2",
    "dgx1/all-free/none/4",
    "dgx1/half-free/none/2",
    "dgx1/all-free/4/3",
    "dgx2/all-free/none/8",
    "dgx2/half-free/none/2",
    "dgx2/all-free/3,9/6",
    "two-cube-meshes/all-free/none/8",
    "two-cube-meshes/half-free/none/4",
    "random16/all-free/none/8"
  })
  public String request;

  private CardSetChooser chooser;
  private List<Integer> available;
  private List<Integer> mustInclude;
  private int size;

  @Setup
  public void setUp() {
    String[] parts = request.split("/");
    Topology topology = switch (parts[0]) {
      case "dgx1" -> BenchmarkTopologies.dgx1CubeMesh();
      case "dgx2" -> BenchmarkTopologies.dgx2NvSwitch16();
      case "two-cube-meshes" -> BenchmarkTopologies.twoCubeMeshes16();
      case "random16" -> BenchmarkTopologies.random16(16);
      default -> throw new IllegalArgumentException("unknown machine " + parts[0]);
    };
    chooser = new CardSetChooser(topology);
    int gpus = chooser.scorer().size();
    // Half free: every other GPU busy, so no PCIe switch pair is whole; the search has the least
    // structure to use.
    available = IntStream.range(0, gpus)
        .filter(gpu -> parts[1].equals("all-free") || gpu % 4 == 0 || gpu % 4 == 3)
        .boxed()
        .toList();
    mustInclude = parts[2].equals("none")
        ? List.of()
        : List.of(parts[2].split(",")).stream().map(Integer::valueOf).toList();
    size = Integer.parseInt(parts[3]);
  }

  @Benchmark
  public CardSet choose() {
    return chooser.choose(available, mustInclude, size);
  }
}
