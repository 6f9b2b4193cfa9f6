package io.kubeaccel.agent.doctor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the part of TOML 1.0 that containerd's {@code config.toml} uses, without a TOML library: {@code [table]} and
 * {@code [[array table]]} headers with bare, {@code "basic"} and {@code 'literal'} dotted keys; {@code key = value}
 * lines with basic, literal and multi-line strings (escapes decoded), booleans, numbers and dates (kept as their
 * text), arrays (over several lines, with comments) and inline tables; comments. Duplicate keys and tables are
 * errors, as in TOML. What it does not check: the exact grammar of numbers and dates beyond their characters, and
 * mixing a key and a table of the same name.
 *
 * <p>Values come out as {@link String}, {@link Boolean}, {@link List} and, for numbers and dates, their text.
 */
final class TomlReader {

  /** A syntax error at a 1-based line. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    SyntaxException(int line, String message) {
      super(message);
      this.line = line;
    }

    int line() {
      return line;
    }
  }

  /** A parsed document: values by full key path, and every table named by a header or implied by a dotted key. */
  static final class Document {
    private final Map<List<String>, Object> values;
    private final Set<List<String>> tables;

    private Document(Map<List<String>, Object> values, Set<List<String>> tables) {
      this.values = values;
      this.tables = tables;
    }

    /** The value at {@code path} (table names then the key), if set. */
    Optional<Object> value(List<String> path) {
      return Optional.ofNullable(values.get(path));
    }

    /** The string at {@code path}, if it is set to a string. */
    Optional<String> string(List<String> path) {
      return value(path).filter(String.class::isInstance).map(String.class::cast);
    }

    /** Whether {@code path} is a table: a header names it, or a key lies under it. */
    boolean hasTable(List<String> path) {
      return tables.contains(path);
    }
  }

  private static final Pattern SCALAR = Pattern.compile(
      "[+-]?(inf|nan)|[+-]?[0-9][0-9_]*(\\.[0-9_]+)?([eE][+-]?[0-9_]+)?|0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+"
          + "|[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?"
          + "([Zz]|[+-][0-9]{2}:[0-9]{2})?)?|[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?");
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]");

  private final TomlCursor in;
  private final Map<List<String>, Object> values = new LinkedHashMap<>();
  private final Set<List<String>> tables = new HashSet<>();
  private final Set<List<String>> headers = new HashSet<>();
  private final Map<List<String>, Integer> arrayTables = new HashMap<>();

  private TomlReader(String text) {
    this.in = new TomlCursor(text);
  }

  /** Parses {@code text}, or says at which line and why it is not TOML this reader understands. */
  static Document parse(String text) throws SyntaxException {
    TomlReader reader = new TomlReader(text);
    reader.document();
    return new Document(reader.values, reader.tables);
  }

  private void document() throws SyntaxException {
    List<String> table = List.of();
    while (true) {
      in.skipBlankLines();
      if (in.atEnd()) {
        return;
      }
      if (in.peek() == '[') {
        table = header();
      } else {
        keyValue(table);
      }
      in.endOfLine();
    }
  }

  private List<String> header() throws SyntaxException {
    int at = in.line;
    boolean array = in.text.startsWith("[[", in.pos);
    in.pos += array ? 2 : 1;
    List<String> key = key();
    in.skipSpaces();
    if (!in.text.startsWith(array ? "]]" : "]", in.pos)) {
      throw in.error("expected '" + (array ? "]]" : "]") + "' to close the table header");
    }
    in.pos += array ? 2 : 1;
    addTables(key);
    if (array) {
      int index = arrayTables.merge(key, 1, Integer::sum) - 1;
      List<String> element = append(key, "[" + index + "]");
      tables.add(element);
      return element;
    }
    if (!headers.add(key) || values.containsKey(key)) {
      throw new SyntaxException(at, "table [" + String.join(".", key) + "] is defined twice");
    }
    return key;
  }

  private void keyValue(List<String> table) throws SyntaxException {
    int at = in.line;
    List<String> key = key();
    in.skipSpaces();
    if (in.atEnd() || in.peek() != '=') {
      throw in.error("expected '=' after the key \"" + String.join(".", key) + "\"");
    }
    in.pos++;
    in.skipSpaces();
    List<String> path = new ArrayList<>(table);
    path.addAll(key);
    Object value = value();
    store(List.copyOf(path), value, at);
  }

  /** Records {@code value} at {@code path}, an inline table as its keys; {@code at} is the key's line. */
  private void store(List<String> path, Object value, int at) throws SyntaxException {
    addTables(path.subList(0, path.size() - 1));
    if (value instanceof InlineTable inline) {
      tables.add(path);
      for (Map.Entry<List<String>, Object> entry : inline.entries().entrySet()) {
        store(concat(path, entry.getKey()), entry.getValue(), at);
      }
      return;
    }
    if (values.containsKey(path) || tables.contains(path)) {
      throw new SyntaxException(at, "duplicate key \"" + String.join(".", path) + "\"");
    }
    values.put(path, value);
  }

  private void addTables(List<String> path) {
    for (int i = 1; i <= path.size(); i++) {
      tables.add(List.copyOf(path.subList(0, i)));
    }
  }

  private List<String> key() throws SyntaxException {
    List<String> parts = new ArrayList<>();
    while (true) {
      in.skipSpaces();
      parts.add(simpleKey());
      in.skipSpaces();
      if (in.atEnd() || in.peek() != '.') {
        return List.copyOf(parts);
      }
      in.pos++;
    }
  }

  private String simpleKey() throws SyntaxException {
    if (in.atEnd()) {
      throw in.error("expected a key");
    }
    char c = in.peek();
    if (c == '"') {
      return in.basicString();
    }
    if (c == '\'') {
      return in.literalString();
    }
    int start = in.pos;
    while (!in.atEnd() && BARE_KEY.matcher(String.valueOf(in.peek())).matches()) {
      in.pos++;
    }
    if (start == in.pos) {
      throw in.error("expected a key, found '" + c + "'");
    }
    return in.text.substring(start, in.pos);
  }

  private Object value() throws SyntaxException {
    if (in.atEnd()) {
      throw in.error("expected a value");
    }
    char c = in.peek();
    if (c == '"') {
      return in.text.startsWith("\"\"\"", in.pos) ? in.multiLineString('"') : in.basicString();
    }
    if (c == '\'') {
      return in.text.startsWith("'''", in.pos) ? in.multiLineString('\'') : in.literalString();
    }
    if (c == '[') {
      return array();
    }
    if (c == '{') {
      return inlineTable();
    }
    int start = in.pos;
    while (!in.atEnd() && " \t\r\n,]}#".indexOf(in.peek()) < 0) {
      in.pos++;
    }
    // A date-time may separate date and time with one space.
    if (in.pos + 9 <= in.text.length()
        && in.text.charAt(in.pos) == ' '
        && in.text.substring(start, in.pos).matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")
        && in.text.substring(in.pos + 1, in.pos + 4).matches("[0-9]{2}:")) {
      in.pos++;
      while (!in.atEnd() && " \t\r\n,]}#".indexOf(in.peek()) < 0) {
        in.pos++;
      }
    }
    String token = in.text.substring(start, in.pos);
    if (token.equals("true") || token.equals("false")) {
      return Boolean.valueOf(token);
    }
    if (token.isEmpty() || !SCALAR.matcher(token).matches()) {
      throw in.error("invalid value \"" + (token.isEmpty() ? String.valueOf(c) : token)
          + "\" (strings need quotes)");
    }
    return token;
  }

  private List<Object> array() throws SyntaxException {
    in.pos++; // [
    List<Object> items = new ArrayList<>();
    while (true) {
      in.skipBlankLines();
      if (in.atEnd()) {
        throw in.error("unterminated array: expected ']'");
      }
      if (in.peek() == ']') {
        in.pos++;
        return items;
      }
      items.add(value());
      in.skipBlankLines();
      if (in.atEnd()) {
        throw in.error("unterminated array: expected ']'");
      }
      if (in.peek() == ',') {
        in.pos++;
      } else if (in.peek() != ']') {
        throw in.error("expected ',' or ']' in the array");
      }
    }
  }

  /** An inline table's keys, relative to where it is assigned. */
  private record InlineTable(Map<List<String>, Object> entries) {}

  private InlineTable inlineTable() throws SyntaxException {
    in.pos++; // {
    Map<List<String>, Object> entries = new LinkedHashMap<>();
    in.skipSpaces();
    if (!in.atEnd() && in.peek() == '}') {
      in.pos++;
      return new InlineTable(entries);
    }
    while (true) {
      List<String> key = key();
      in.skipSpaces();
      if (in.atEnd() || in.peek() != '=') {
        throw in.error("expected '=' after the key \"" + String.join(".", key) + "\"");
      }
      in.pos++;
      in.skipSpaces();
      Object value = value();
      if (value instanceof InlineTable nested) {
        for (Map.Entry<List<String>, Object> entry : nested.entries().entrySet()) {
          putOnce(entries, concat(key, entry.getKey()), entry.getValue());
        }
      } else {
        putOnce(entries, key, value);
      }
      in.skipSpaces();
      if (in.atEnd() || in.peek() == '\n' || in.peek() == '\r') {
        throw in.error("unterminated inline table: expected '}' on the same line");
      }
      if (in.peek() == '}') {
        in.pos++;
        return new InlineTable(entries);
      }
      if (in.peek() != ',') {
        throw in.error("expected ',' or '}' in the inline table");
      }
      in.pos++;
    }
  }

  private void putOnce(Map<List<String>, Object> entries, List<String> key, Object value)
      throws SyntaxException {
    if (entries.putIfAbsent(key, value) != null) {
      throw in.error("duplicate key \"" + String.join(".", key) + "\" in the inline table");
    }
  }

  private static List<String> append(List<String> path, String part) {
    List<String> out = new ArrayList<>(path);
    out.add(part);
    return List.copyOf(out);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}
