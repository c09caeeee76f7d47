using Digest.Articles.Feeds;

namespace Digest.Tests.Articles;

public sealed class HtmlTextTests
{
    [Fact]
    public void Highlights_AreTheListItems_WhenTheSummaryHasAList()
    {
        Assert.Equal(["First point", "Second & last"],
            HtmlText.Highlights("<p>Intro sentence. Not a highlight.</p><ul><li>First <em>point</em></li><li>Second &amp; last</ul>"));
    }

    [Fact]
    public void Highlights_AreTheSentences_WhenTheSummaryIsProse()
    {
        Assert.Equal(["Rain is expected.", "Take an umbrella!", "It clears by 3.5 pm on Friday."],
            HtmlText.Highlights("<p>Rain is expected. Take an umbrella!</p> It clears by 3.5 pm on Friday."));
    }

    [Fact]
    public void ToText_DropsScriptsStylesCommentsAndEveryTag()
    {
        string text = HtmlText.ToText("""<p onclick="x()">Safe<script>alert('x')</script><style>p{}</style><!-- hidden --> <img src=x onerror=alert(1)>text</p>""");

        Assert.Equal("Safe text", text);
    }

    [Fact]
    public void ToText_DecodesEntitiesOnce_SoEscapedMarkupStaysText()
    {
        // "&amp;lt;b&amp;gt;" is the text "&lt;b&gt;": decoded once it is shown as written, never as markup.
        Assert.Equal("Fish &amp; chips <b>", HtmlText.ToText("Fish &amp;amp; chips &lt;b&gt;"));
    }

    [Fact]
    public void ToText_KeepsALessThanSignThatOpensNoTag()
    {
        Assert.Equal("Rents rose 3% < inflation of 4% > wages", HtmlText.ToText("Rents rose 3% <b>&lt;</b> inflation of 4% > wages"));
        Assert.Equal("If a < b then b > a", HtmlText.ToText("If a < b then b > a"));
    }

    [Fact]
    public void Highlights_OfAnUnclosedScript_AreEmpty_RatherThanTheScript()
    {
        Assert.Empty(HtmlText.Highlights("<script>document.write('gotcha')"));
    }
}
