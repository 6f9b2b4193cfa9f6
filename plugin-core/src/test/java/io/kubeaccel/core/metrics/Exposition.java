package io.kubeaccel.core.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The Prometheus text format read back as samples, as a scraper reads it. */
record Exposition(List<Sample> samples) {

  /** One line: a series and its value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** What {@code registry} would answer a scrape with, without HTTP. */
  static Exposition of(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
    return parse(io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
        .toDebugString(registry.scrape()));
  }

  static Exposition parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(sample(line));
    }
    return new Exposition(List.copyOf(samples));
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    Map<String, String> labels = new LinkedHashMap<>();
    String name;
    String rest;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int equals = line.indexOf('=', i);
        String label = line.substring(i, equals);
        StringBuilder value = new StringBuilder();
        int j = equals + 2; // skip ="
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char escaped = line.charAt(++j);
            value.append(escaped == 'n' ? '\n' : escaped);
          } else {
            value.append(c);
          }
          j++;
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      rest = line.substring(i + 1).trim();
    } else {
      name = line.substring(0, space);
      rest = line.substring(space + 1).trim();
    }
    String value = rest.split(" ")[0];
    return new Sample(name, labels, Double.parseDouble(value));
  }

  /** The series names present. */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    samples.forEach(sample -> names.add(sample.name()));
    return names;
  }

  /** Every sample of {@code name}. */
  List<Sample> all(String name) {
    return samples.stream().filter(sample -> sample.name().equals(name)).toList();
  }

  /** The sample of {@code name} whose labels include {@code labelPairs} (name, value, name, value...). */
  Optional<Double> value(String name, String... labelPairs) {
    List<Sample> found = samples.stream()
        .filter(sample -> sample.name().equals(name))
        .filter(sample -> {
          for (int i = 0; i < labelPairs.length; i += 2) {
            if (!labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]))) {
              return false;
            }
          }
          return true;
        })
        .toList();
    if (found.size() > 1) {
      throw new IllegalStateException(
          "several samples match " + name + " " + List.of(labelPairs) + ": " + found);
    }
    return found.stream().findFirst().map(Sample::value);
  }
}
