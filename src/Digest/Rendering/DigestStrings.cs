using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Digest.Rendering;

/// <summary>
/// The digest's fixed words in each language, from <c>DigestStrings.resx</c> (English) and
/// <c>DigestStrings.&lt;language&gt;.resx</c> beside it. Another language: add its file and its name to <see cref="Languages"/>.
/// </summary>
public sealed class DigestStrings(IStringLocalizer<DigestStrings> localizer)
{
    /// <summary>The languages an edition's <c>Culture</c> may name (or a region of, such as de-AT).</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    private readonly ConcurrentDictionary<string, DigestLabels> _labels = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="culture"/> is a culture whose language the digest speaks.</summary>
    public static bool IsSupported(string? culture)
    {
        try
        {
            return !string.IsNullOrWhiteSpace(culture) && Languages.Contains(CultureInfo.GetCultureInfo(culture, predefinedOnly: true).TwoLetterISOLanguageName);
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The labels of one culture, read once.</summary>
    public DigestLabels For(string culture) => _labels.GetOrAdd(culture, Read);

    private DigestLabels Read(string name)
    {
        var culture = CultureInfo.GetCultureInfo(name);
        // The localizer reads the current UI culture; this thread's is set only while the labels are read.
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            string S(string key) => localizer[key] is { ResourceNotFound: false } found
                ? found.Value
                : throw new InvalidOperationException($"DigestStrings.resx has no string '{key}'");
            return new DigestLabels(culture, name, S("DatePattern"), S("ArticleDatePattern"), S("SubjectDatePattern"), S("Greeting"), S("NoNews"),
                S("MoreHeading"), S("AndMore"), S("AndMoreShort"), S("Read"), S("ReadArticle"), S("ManagePreferences"), S("Unsubscribe"), S("Reason"), S("OtherSection"));
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}

/// <summary>An edition's language in a digest: its culture (dates), its <c>lang</c> and the template's fixed words.</summary>
public sealed record DigestLabels(
    CultureInfo Culture,
    string Language,
    string DatePattern,
    string ArticleDatePattern,
    string SubjectDatePattern,
    string Greeting,
    string NoNews,
    string MoreHeading,
    string AndMore,
    string AndMoreShort,
    string Read,
    string ReadArticle,
    string ManagePreferences,
    string Unsubscribe,
    string Reason,
    string OtherSection)
{
    public string Hello(string name) => string.Format(Culture, Greeting, name);
    public string More(int count) => string.Format(Culture, AndMore, count);
    public string MoreShort(int count) => string.Format(Culture, AndMoreShort, count);
    public string ReadHeadline(string headline) => string.Format(Culture, Read, headline);
    public string ReasonFor(string email, string edition) => string.Format(Culture, Reason, email, edition);
}
