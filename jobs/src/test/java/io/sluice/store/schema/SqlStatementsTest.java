package io.sluice.store.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {
  @Test
  void splitsAtSemicolonsOutsideQuotesAndComments() {
    String text = """
        -- a comment; with a semicolon
        CREATE TABLE a (s String DEFAULT ';') ENGINE = Memory;
        /* block; comment */
        INSERT INTO a VALUES ('it\\'s; fine');

        SELECT `odd;name` FROM a
        """;
    List<SqlStatements.Statement> statements = SqlStatements.split(text);
    assertEquals(3, statements.size());
    assertEquals("CREATE TABLE a (s String DEFAULT ';') ENGINE = Memory", statements.get(0).sql().lines().reduce((a, b) -> b).orElseThrow());
    assertEquals(2, statements.get(0).line());
    assertEquals(4, statements.get(1).line());
    assertEquals("SELECT `odd;name` FROM a", statements.get(2).sql());
    assertEquals(6, statements.get(2).line());
  }

  @Test
  void dropsCommentOnlyTails() {
    assertEquals(1, SqlStatements.split("SELECT 1;\n-- trailing comment\n").size());
  }
}
