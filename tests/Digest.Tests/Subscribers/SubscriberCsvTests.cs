using Digest.Subscribers;

namespace Digest.Tests.Subscribers;

public sealed class SubscriberCsvTests
{
    private static readonly string[] Editions = ["daily", "weekly"];

    private static (IReadOnlyList<ImportRow> Rows, IReadOnlyList<RejectedRow> Rejected) ReadFixture()
    {
        using var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "Fixtures", "subscribers", "import.csv"));
        return SubscriberCsv.Read(reader, Editions);
    }

    [Fact]
    public void Read_MergesRowsForTheSameAddress_CombiningEditions()
    {
        var (rows, _) = ReadFixture();

        Assert.Equal(["ana@example.com", "ben@example.net", "fay@example.org"], rows.Select(r => r.Email));
        var ana = rows[0];
        Assert.Equal("Ana", ana.Name);
        Assert.Equal(["daily", "weekly"], ana.Editions);
    }

    [Fact]
    public void Read_KeepsQuotedCommas()
    {
        var (rows, _) = ReadFixture();

        Assert.Equal("Ben, the second", rows[1].Name);
        Assert.Equal(["daily", "weekly"], rows[1].Editions);
    }

    [Fact]
    public void Read_RejectsEachBadRow_ByItsLineNumber_SayingWhy()
    {
        var (_, rejected) = ReadFixture();

        Assert.Equal(
        [
            new RejectedRow(4, "email: 'not-an-address' is not an email address"),
            new RejectedRow(6, "editions: no edition named 'hourly'; editions are daily, weekly"),
            new RejectedRow(7, "editions: none given; use one or more of daily, weekly separated by ';'"),
            new RejectedRow(9, "name: contains a line break or another control character"),
            new RejectedRow(12, "text after a closing quote in column 1"),
        ], rejected);
    }

    [Fact]
    public void Read_WithoutHeader_TakesEmailNameEditions()
    {
        var (rows, rejected) = SubscriberCsv.Read(new StringReader("ana@example.com,Ana,weekly\nben@example.net,Ben,daily,extra\n"), Editions);

        Assert.Equal("ana@example.com", Assert.Single(rows).Email);
        Assert.Equal(new RejectedRow(2, "4 columns; expected email,name,editions (or a header row naming the columns)"), Assert.Single(rejected));
    }

    [Fact]
    public void Read_UnclosedQuote_IsRejectedNotGuessed()
    {
        var (rows, rejected) = SubscriberCsv.Read(new StringReader("ana@example.com,\"Ana,daily\n"), Editions);

        Assert.Empty(rows);
        Assert.Equal(new RejectedRow(1, "a quoted field is never closed"), Assert.Single(rejected));
    }

    [Fact]
    public void Write_ThenRead_GivesTheSameSubscribers()
    {
        var listing = new SubscriberListing(new Subscriber(1, "ana@example.com", "Ana \"A\", Jr.", SubscriberStatus.Confirmed), ["daily", "weekly"]);

        string csv = SubscriberCsv.Write([listing]);
        var (rows, rejected) = SubscriberCsv.Read(new StringReader(csv), Editions);

        Assert.Empty(rejected);
        var row = Assert.Single(rows);
        Assert.Equal(("ana@example.com", "Ana \"A\", Jr."), (row.Email, row.Name));
        Assert.Equal(["daily", "weekly"], row.Editions);
    }

    [Fact]
    public void Write_GuardsCellsASpreadsheetWouldRunAsFormulas()
    {
        var listing = new SubscriberListing(new Subscriber(1, "ana@example.com", "=HYPERLINK(\"http://evil.example\")", SubscriberStatus.Confirmed), ["daily"]);

        string csv = SubscriberCsv.Write([listing]);

        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\"", csv);
        Assert.StartsWith("email,name,editions,status\r\n", csv);
    }

    [Fact]
    public void Write_ThenRead_RemovesTheFormulaGuard_SoTheSameAddressesComeBack()
    {
        var listing = new SubscriberListing(new Subscriber(1, "=1+1@example.com", "-Ana", SubscriberStatus.Confirmed), ["daily"]);

        var (rows, rejected) = SubscriberCsv.Read(new StringReader(SubscriberCsv.Write([listing])), Editions);

        Assert.Empty(rejected);
        var row = Assert.Single(rows);
        Assert.Equal(("=1+1@example.com", "-Ana"), (row.Email, row.Name));
    }

    [Fact]
    public void Read_Latin1Bytes_AreRefusedByLine_NotImportedGarbled()
    {
        byte[] latin1 = System.Text.Encoding.Latin1.GetBytes("email,name,editions\nana@example.com,Ana,daily\njorg@example.de,Jörg,daily\n");
        using var reader = new StreamReader(new MemoryStream(latin1), System.Text.Encoding.UTF8);

        var (rows, rejected) = SubscriberCsv.Read(reader, Editions);

        Assert.Equal(["ana@example.com"], rows.Select(r => r.Email));
        var refused = Assert.Single(rejected);
        Assert.Equal(3, refused.Row);
        Assert.Contains("line 3 is not UTF-8", refused.Reason);
    }
}
