package io.kubeaccel.agent.doctor;

/**
 * A position in TOML text, with the line it is on, and the lexical pieces {@link TomlReader} builds on: whitespace
 * and comments, the four kinds of strings with their escapes, and the end of a line.
 */
final class TomlCursor {

  final String text;
  int pos;
  int line = 1;

  TomlCursor(String text) {
    this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  String basicString() throws TomlReader.SyntaxException {
    pos++; // "
    StringBuilder out = new StringBuilder();
    while (true) {
      if (atEnd() || peek() == '\n') {
        throw error("unterminated string: expected '\"'");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c == '\\') {
        escape(out);
      } else {
        out.append(c);
      }
    }
  }

  String literalString() throws TomlReader.SyntaxException {
    pos++; // '
    int end = text.indexOf('\'', pos);
    int newline = text.indexOf('\n', pos);
    if (end < 0 || (newline >= 0 && newline < end)) {
      throw error("unterminated string: expected \"'\"");
    }
    String value = text.substring(pos, end);
    pos = end + 1;
    return value;
  }

  String multiLineString(char quote) throws TomlReader.SyntaxException {
    String delimiter = String.valueOf(quote).repeat(3);
    int startLine = line;
    pos += 3;
    if (text.startsWith("\r\n", pos)) {
      pos += 2;
      line++;
    } else if (text.startsWith("\n", pos)) {
      pos++;
      line++;
    }
    StringBuilder out = new StringBuilder();
    while (true) {
      if (atEnd()) {
        throw new TomlReader.SyntaxException(
            startLine, "unterminated multi-line string: expected " + delimiter);
      }
      if (text.startsWith(delimiter, pos)) {
        pos += 3;
        // Up to two quotes right before the closing delimiter belong to the string.
        for (int extra = 0; extra < 2 && !atEnd() && peek() == quote; extra++) {
          out.append(quote);
          pos++;
        }
        return out.toString();
      }
      char c = text.charAt(pos++);
      if (c == '\n') {
        line++;
      }
      if (c == '\\' && quote == '"') {
        if (lineEndingBackslash()) {
          continue;
        }
        escape(out);
      } else {
        out.append(c);
      }
    }
  }

  /** After a backslash in a multi-line basic string: a line ending there trims up to the next text. */
  boolean lineEndingBackslash() {
    int look = pos;
    while (look < text.length() && (text.charAt(look) == ' ' || text.charAt(look) == '\t')) {
      look++;
    }
    if (look >= text.length() || (text.charAt(look) != '\n' && text.charAt(look) != '\r')) {
      return false;
    }
    pos = look;
    while (!atEnd() && Character.isWhitespace(peek())) {
      if (peek() == '\n') {
        line++;
      }
      pos++;
    }
    return true;
  }

  void escape(StringBuilder out) throws TomlReader.SyntaxException {
    if (atEnd()) {
      throw error("unterminated escape");
    }
    char c = text.charAt(pos++);
    switch (c) {
      case 'b' -> out.append('\b');
      case 't' -> out.append('\t');
      case 'n' -> out.append('\n');
      case 'f' -> out.append('\f');
      case 'r' -> out.append('\r');
      case 'e' -> out.append('\u001b');
      case '"' -> out.append('"');
      case '\\' -> out.append('\\');
      case 'u', 'U' -> {
        int digits = c == 'u' ? 4 : 8;
        if (pos + digits > text.length()
            || !text.substring(pos, pos + digits).matches("[0-9A-Fa-f]+")) {
          throw error("invalid \\" + c + " escape: expected " + digits + " hex digits");
        }
        int codePoint = Integer.parseUnsignedInt(text.substring(pos, pos + digits), 16);
        if (!Character.isValidCodePoint(codePoint)) {
          throw error("invalid \\" + c + " escape: not a Unicode code point");
        }
        out.appendCodePoint(codePoint);
        pos += digits;
      }
      default -> throw error("invalid escape \\" + c);
    }
  }

  /** Spaces, tabs, newlines and comments. */
  void skipBlankLines() {
    while (!atEnd()) {
      char c = peek();
      if (c == '\n') {
        line++;
        pos++;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        pos++;
      } else if (c == '#') {
        skipComment();
      } else {
        return;
      }
    }
  }

  void skipSpaces() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
      pos++;
    }
  }

  void skipComment() {
    while (!atEnd() && peek() != '\n') {
      pos++;
    }
  }

  /** After a header or a key-value pair only a comment may follow on the line. */
  void endOfLine() throws TomlReader.SyntaxException {
    skipSpaces();
    if (!atEnd() && peek() == '#') {
      skipComment();
    }
    if (text.startsWith("\r\n", pos)) {
      pos++;
    }
    if (atEnd()) {
      return;
    }
    if (peek() != '\n') {
      int end = text.indexOf('\n', pos);
      String rest = text.substring(pos, end < 0 ? text.length() : end).strip();
      throw error("unexpected \"" + rest + "\" after the value (one key = value per line)");
    }
  }

  boolean atEnd() {
    return pos >= text.length();
  }

  char peek() {
    return text.charAt(pos);
  }

  TomlReader.SyntaxException error(String message) {
    return new TomlReader.SyntaxException(line, message);
  }
}
