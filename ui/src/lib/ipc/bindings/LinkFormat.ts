// `format` argument of the `image_link` command.
export type LinkFormat = "url" | "markdown" | "html" | "bbcode";
