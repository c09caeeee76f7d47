using System.Text;

namespace Digest.Subscribers;

/// <summary>One row of an import that was not taken, by its line number in the file, and why.</summary>
public sealed record RejectedRow(int Row, string Reason);

/// <summary>What an import did.</summary>
public sealed record ImportReport(int Added, int Merged, IReadOnlyList<RejectedRow> Rejected);

/// <summary>A subscriber row read from a file: normalised, validated, merged with its duplicates in the file.</summary>
public sealed record ImportRow(string Email, string Name, IReadOnlyList<string> Editions);

/// <summary>
/// Subscribers as CSV (RFC 4180): <c>email,name,editions</c>, editions separated by ';'. Reading validates every row
/// and says which row is wrong and why; writing guards cells against spreadsheet formula injection, and reading
/// removes that guard again. Input must be UTF-8: a line that is not is refused by its number.
/// </summary>
public static class SubscriberCsv
{
    /// <summary>Export columns; an import reads columns by this header (extra columns such as status are ignored).</summary>
    public const string Header = "email,name,editions,status";
    public const int MaxNameLength = 100;

    /// <summary>
    /// Reads rows: by column name when the first row is a header naming "email", else as email,name,editions.
    /// Rows for the same address are merged into one,
    /// their editions combined. Editions must be among <paramref name="editions"/>.
    /// </summary>
    public static (IReadOnlyList<ImportRow> Rows, IReadOnlyList<RejectedRow> Rejected) Read(TextReader reader, IReadOnlyCollection<string> editions)
    {
        var merged = new Dictionary<string, (string Name, SortedSet<string> Editions)>(StringComparer.Ordinal);
        var rejected = new List<RejectedRow>();
        int[]? columns = null; // where email, name and editions are when a header names them
        foreach (var (row, fields, problem) in Records(reader))
        {
            if (problem is not null)
            {
                rejected.Add(new(row, problem));
                continue;
            }
            if (row == 1 && fields.Any(f => f.Trim().Equals("email", StringComparison.OrdinalIgnoreCase)))
            {
                columns = new[] { "email", "name", "editions" }.Select(c => fields.FindIndex(f => f.Trim().Equals(c, StringComparison.OrdinalIgnoreCase))).ToArray();
                continue;
            }
            if (fields.All(f => f.Trim().Length == 0))
                continue;
            if (columns is null && fields.Count > 3)
            {
                rejected.Add(new(row, $"{fields.Count} columns; expected email,name,editions (or a header row naming the columns)"));
                continue;
            }
            string Column(int index) => WithoutFormulaGuard(columns is null ? (index < fields.Count ? fields[index] : "")
                : columns[index] >= 0 && columns[index] < fields.Count ? fields[columns[index]] : "");
            if (Validate(Column(0), Column(1), Column(2), editions, out string? reason) is not { } valid)
            {
                rejected.Add(new(row, reason!));
                continue;
            }
            if (merged.TryGetValue(valid.Email, out var existing))
            {
                existing.Editions.UnionWith(valid.Editions);
                if (existing.Name.Length == 0)
                    merged[valid.Email] = (valid.Name, existing.Editions);
            }
            else
                merged[valid.Email] = (valid.Name, new SortedSet<string>(valid.Editions, StringComparer.Ordinal));
        }
        return (merged.Select(m => new ImportRow(m.Key, m.Value.Name, m.Value.Editions.ToList())).ToList(), rejected);
    }

    /// <summary>A cell as it was before <see cref="Cell"/> guarded it: an export read back gives the same subscribers.</summary>
    private static string WithoutFormulaGuard(string value) =>
        value.Length > 1 && value[0] == '\'' && IsFormulaStart(value[1]) ? value[1..] : value;

    private static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    private static ImportRow? Validate(string emailText, string nameText, string editionsText, IReadOnlyCollection<string> known, out string? reason)
    {
        reason = null;
        string? email = EmailAddress.Normalise(emailText, out string? problem);
        string name = nameText.Trim();
        var editions = editionsText.Split([';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.ToLowerInvariant()).Distinct().ToList();
        var unknown = editions.Where(e => !known.Contains(e, StringComparer.OrdinalIgnoreCase)).ToList();
        if (email is null)
            reason = $"email: {problem}";
        else if (name.Length > MaxNameLength)
            reason = $"name: {name.Length} characters long; the limit is {MaxNameLength}";
        else if (name.Any(char.IsControl))
            reason = "name: contains a line break or another control character";
        else if (editions.Count == 0)
            reason = $"editions: none given; use one or more of {string.Join(", ", known)} separated by ';'";
        else if (unknown.Count > 0)
            reason = $"editions: no edition named {string.Join(", ", unknown.Select(u => $"'{u}'"))}; editions are {string.Join(", ", known)}";
        return reason is null ? new ImportRow(email!, name, editions) : null;
    }

    /// <summary>What a UTF-8 reader puts where the bytes were not UTF-8: such a row is refused, never imported garbled.</summary>
    private const char NotUtf8 = '\uFFFD';

    /// <summary>RFC 4180 records with the line each starts on; a broken record is reported, not guessed at.</summary>
    private static IEnumerable<(int Row, List<string> Fields, string? Problem)> Records(TextReader reader)
    {
        int line = 0;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            int start = line;
            if (text.Contains(NotUtf8))
            {
                yield return (start, [], $"line {line} is not UTF-8 text (a byte that UTF-8 cannot hold, e.g. Latin-1's ä or é): save the file as UTF-8 and import it again");
                continue;
            }
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, afterQuote = false;
            string? problem = null;
            for (int i = 0; ; i++)
            {
                if (i == text.Length)
                {
                    if (!quoted)
                        break;
                    string? next = reader.ReadLine(); // a quoted field may span lines
                    if (next is null)
                    {
                        problem = "a quoted field is never closed";
                        break;
                    }
                    line++;
                    field.Append('\n');
                    text = next;
                    i = -1;
                    continue;
                }
                char c = text[i];
                if (quoted)
                {
                    if (c != '"')
                        field.Append(c);
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                        field.Append(text[++i]);
                    else
                        (quoted, afterQuote) = (false, true);
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    afterQuote = false;
                }
                else if (c == '"' && field.Length == 0 && !afterQuote)
                    quoted = true;
                else if (afterQuote)
                {
                    problem = $"text after a closing quote in column {fields.Count + 1}";
                    break;
                }
                else
                    field.Append(c);
            }
            fields.Add(field.ToString());
            yield return (start, fields, problem);
        }
    }

    public static string Write(IEnumerable<SubscriberListing> listings)
    {
        var text = new StringBuilder(Header).Append("\r\n");
        foreach (var (subscriber, editions) in listings)
            text.Append(Cell(subscriber.Email)).Append(',').Append(Cell(subscriber.Name)).Append(',')
                .Append(Cell(string.Join(';', editions))).Append(',').Append(Cell(subscriber.Status)).Append("\r\n");
        return text.ToString();
    }

    /// <summary>
    /// A quoted cell. Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe, so an
    /// export opened by an editor never executes what a subscriber typed as their name.
    /// </summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && IsFormulaStart(value[0]))
            value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }
}
