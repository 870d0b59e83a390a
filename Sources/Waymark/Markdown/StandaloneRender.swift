/// `waymark render`: one Markdown document to HTML, through the same cmark pipeline as a site build.
/// Without a site there is nothing to resolve wikilinks against, so they stay as written; GitHub's
/// additions (task lists, strikethrough, highlights, footnotes, bare addresses) are left out: it stays CommonMark.
public enum StandaloneRender {
    public static func html(markdown: String, unsafe: Bool, headingAnchors: Bool) -> String {
        var options = MarkdownBody.RenderOptions()
        options.unsafe = unsafe
        options.headingAnchors = headingAnchors
        options.extensions = false
        return MarkdownBody(text: markdown, path: "-", firstLine: 1, reservedAnchors: []).html(options)
    }
}
