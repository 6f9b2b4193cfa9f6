package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.ledger.CardUse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One card as a node agent publishes it in the Node annotation {@value CapacityPublisher#ANNOTATION} (written by
 * {@link CapacityPublisher}): what the scheduler extender knows of a card without NVML. {@code cores} and {@code
 * memoryUnits} are after the agent's oversubscription factors; the {@code used*} fields are the agent's grants.
 *
 * @param uuid card UUID
 * @param index NVML index, the number the assignment annotations use
 * @param model product name, e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param memoryMiB framebuffer memory
 * @param numa NUMA node, -1 when none
 * @param healthy whether the agent reports it {@code Healthy}
 * @param mode the family's short name, {@code vgpu} or {@code mps}
 * @param mig whether the card is in MIG mode (such cards take no shares)
 * @param coreResource the family's core resource, e.g. {@code tencent.com/vcuda-core}
 * @param memoryResource the family's memory resource
 * @param cores core units the card advertises
 * @param memoryUnits memory units the card advertises
 * @param usedCores core units the agent has granted
 * @param usedMemoryUnits memory units the agent has granted
 * @param containers containers holding a share
 * @param exclusive whether a container holds the card whole
 */
public record PublishedCard(
    String uuid,
    int index,
    String model,
    long memoryMiB,
    int numa,
    boolean healthy,
    String mode,
    boolean mig,
    String coreResource,
    String memoryResource,
    int cores,
    long memoryUnits,
    int usedCores,
    long usedMemoryUnits,
    int containers,
    boolean exclusive) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What the agent has granted on this card. */
  public CardUse publishedUse() {
    return new CardUse(usedCores, usedMemoryUnits, containers, exclusive);
  }

  /**
   * Reads the annotation's value: a JSON array of card objects. Unknown fields are ignored (a newer agent may add
   * some); missing optional ones take neutral values (healthy, no use, not MIG).
   *
   * @throws IllegalArgumentException saying what is wrong and where, e.g. {@code card 1: "cores" must be a
   *     non-negative whole number}
   */
  public static List<PublishedCard> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("expected a JSON array of cards");
    }
    List<PublishedCard> cards = new ArrayList<>();
    Set<String> uuids = new HashSet<>();
    Set<Integer> indexes = new HashSet<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode card = root.get(i);
      if (!card.isObject()) {
        throw new IllegalArgumentException("card " + i + ": expected an object");
      }
      Fields f = new Fields(card, i);
      PublishedCard parsed = new PublishedCard(
          f.text("uuid", null),
          (int) f.number("index", null),
          f.text("model", ""),
          f.number("memoryMiB", 0L),
          numa(card),
          !Health.UNHEALTHY.equals(f.text("health", Health.HEALTHY)),
          f.text("mode", ""),
          f.bool("mig"),
          f.text("coreResource", null),
          f.text("memoryResource", null),
          (int) f.number("cores", null),
          f.number("memoryUnits", null),
          (int) f.number("usedCores", 0L),
          f.number("usedMemoryUnits", 0L),
          (int) f.number("containers", 0L),
          f.bool("exclusive"));
      if (!uuids.add(parsed.uuid())) {
        throw new IllegalArgumentException("card " + i + ": uuid " + parsed.uuid() + " repeats");
      }
      if (!indexes.add(parsed.index())) {
        throw new IllegalArgumentException("card " + i + ": index " + parsed.index() + " repeats");
      }
      cards.add(parsed);
    }
    return List.copyOf(cards);
  }

  private static int numa(JsonNode card) {
    JsonNode value = card.get("numa");
    return value != null && value.isIntegralNumber() ? value.asInt() : -1;
  }

  /** Typed reads of one card object with messages naming the card and the field. */
  private record Fields(JsonNode card, int position) {

    String text(String name, String fallback) {
      JsonNode value = card.get(name);
      if (value == null || value.isNull()) {
        if (fallback == null) {
          throw missing(name, "a string");
        }
        return fallback;
      }
      if (!value.isString()) {
        throw missing(name, "a string");
      }
      return value.asString();
    }

    long number(String name, Long fallback) {
      JsonNode value = card.get(name);
      if (value == null || value.isNull()) {
        if (fallback == null) {
          throw missing(name, "a non-negative whole number");
        }
        return fallback;
      }
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
        throw missing(name, "a non-negative whole number");
      }
      long number = value.asLong();
      if (!name.equals("memoryUnits")
          && !name.equals("usedMemoryUnits")
          && !name.equals("memoryMiB")
          && number > Integer.MAX_VALUE) {
        throw missing(name, "a whole number below 2^31");
      }
      return number;
    }

    boolean bool(String name) {
      JsonNode value = card.get(name);
      if (value == null || value.isNull()) {
        return false;
      }
      if (!value.isBoolean()) {
        throw missing(name, "true or false");
      }
      return value.asBoolean();
    }

    private IllegalArgumentException missing(String name, String what) {
      return new IllegalArgumentException(
          "card " + position + ": \"" + name + "\" must be " + what);
    }
  }
}
