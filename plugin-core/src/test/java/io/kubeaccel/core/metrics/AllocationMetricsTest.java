package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AllocationMetricsTest {

  private static final String GPU = "nvidia.com/gpu";
  private static final String MIG = "nvidia.com/mig-1g.5gb";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AllocationMetrics observer = new AllocationMetrics(registry);

  private static long micros(long value) {
    return TimeUnit.MICROSECONDS.toNanos(value);
  }

  @Test
  void countsAllocationsAndRejectionsPerResource() {
    observer.allocated(GPU, micros(80));
    observer.allocated(GPU, micros(90));
    observer.allocated(MIG, micros(300));
    observer.rejected(GPU);

    Exposition scraped = Exposition.of(registry);

    assertThat(scraped.value("kubeaccel_allocations_total", "resource", GPU)).contains(2.0);
    assertThat(scraped.value("kubeaccel_allocations_total", "resource", MIG)).contains(1.0);
    assertThat(scraped.value("kubeaccel_allocation_rejections_total", "resource", GPU))
        .contains(1.0);
    assertThat(scraped.value("kubeaccel_allocation_rejections_total", "resource", MIG))
        .as("a resource's series all start at its first call")
        .contains(0.0);
  }

  @Test
  void latenciesFallIntoTheirBuckets() {
    observer.allocated(GPU, micros(40)); // <= 50 us
    observer.allocated(GPU, micros(80)); // <= 100 us
    observer.allocated(GPU, micros(80));
    observer.allocated(GPU, micros(3_000)); // <= 5 ms
    observer.allocated(GPU, TimeUnit.SECONDS.toNanos(2)); // beyond 1 s

    Exposition scraped = Exposition.of(registry);
    String buckets = "kubeaccel_allocate_duration_seconds_bucket";

    assertThat(scraped.value(buckets, "resource", GPU, "le", "5.0E-5")).contains(1.0);
    assertThat(scraped.value(buckets, "resource", GPU, "le", "1.0E-4")).contains(3.0);
    assertThat(scraped.value(buckets, "resource", GPU, "le", "0.0025")).contains(3.0);
    assertThat(scraped.value(buckets, "resource", GPU, "le", "0.005")).contains(4.0);
    assertThat(scraped.value(buckets, "resource", GPU, "le", "1.0")).contains(4.0);
    assertThat(scraped.value(buckets, "resource", GPU, "le", "+Inf")).contains(5.0);
    assertThat(scraped.value("kubeaccel_allocate_duration_seconds_count", "resource", GPU))
        .contains(5.0);
    assertThat(scraped
            .value("kubeaccel_allocate_duration_seconds_sum", "resource", GPU)
            .orElseThrow())
        .isCloseTo(2.0032, within(1e-9));
  }

  @Test
  void everyBucketBoundIsShown() {
    observer.allocated(GPU, 1);
    assertThat(Exposition.of(registry).all("kubeaccel_allocate_duration_seconds_bucket"))
        .hasSize(AllocationMetrics.BUCKETS.length + 1);
  }
}
