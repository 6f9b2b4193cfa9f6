package io.kubeaccel.core.sharing;

/**
 * A pair of resources that together describe a container's share of one card: a core resource (100 = a whole card)
 * and a memory resource counted in fixed units. The vGPU mode is {@code tencent.com/vcuda-core} with {@code
 * tencent.com/vcuda-memory} in 256 MiB units; MPS is {@code nvidia.com/mps-core} with {@code nvidia.com/mps-memory} in
 * 1 GiB units.
 *
 * @param name short name recorded in grants, {@code vgpu} or {@code mps}
 * @param coreResource the core resource; 100 units are one card
 * @param memoryResource the memory resource
 * @param memoryUnitBytes bytes per memory unit
 * @param annotationPrefix prefix of the assignment annotations the scheduler extender writes, e.g. {@code
 *     tencent.com/}
 * @param coreFactor oversubscription of cores: a card advertises {@code 100 * coreFactor} core units
 * @param memoryFactor oversubscription of memory: a card advertises {@code memory / unit * memoryFactor} units
 * @param wholeCards whether requests of 100 cores or more (whole cards, exclusively) are allowed
 */
public record ShareFamily(
    String name,
    String coreResource,
    String memoryResource,
    long memoryUnitBytes,
    String annotationPrefix,
    double coreFactor,
    double memoryFactor,
    boolean wholeCards) {

  /** Core units of one whole card, before oversubscription. */
  public static final int CARD_CORES = 100;

  public ShareFamily {
    if (coreFactor < 1 || coreFactor > 100 || memoryFactor < 1 || memoryFactor > 100) {
      throw new IllegalArgumentException(
          "oversubscription factors must be between 1 and 100, got cores " + coreFactor + " memory "
              + memoryFactor);
    }
  }

  /** Core units a card advertises. */
  public int coresPerCard() {
    return (int) Math.floor(CARD_CORES * coreFactor);
  }

  /** Memory units a card of {@code memoryBytes} advertises. */
  public long memoryUnitsOf(long memoryBytes) {
    return (long) Math.floor((double) (memoryBytes / memoryUnitBytes) * memoryFactor);
  }

  /** Whether {@code resource} belongs to this family. */
  public boolean covers(String resource) {
    return resource.equals(coreResource) || resource.equals(memoryResource);
  }

  /** The other resource of the family. */
  public String partnerOf(String resource) {
    return resource.equals(coreResource) ? memoryResource : coreResource;
  }

  /** Annotation naming the card indexes of container {@code index}, e.g. {@code tencent.com/predicate-gpu-idx-0}. */
  public String cardIndexAnnotation(int containerIndex) {
    return annotationPrefix + "predicate-gpu-idx-" + containerIndex;
  }

  /** Annotation naming the node the extender chose. */
  public String nodeAnnotation() {
    return annotationPrefix + "predicate-node";
  }

  /** Annotation with the time (Unix nanoseconds) the extender chose the node. */
  public String timeAnnotation() {
    return annotationPrefix + "predicate-time";
  }

  /** Annotation {@code false} while the agent has not yet placed the pod, {@code true} after. */
  public String assignedAnnotation() {
    return annotationPrefix + "gpu-assigned";
  }
}
