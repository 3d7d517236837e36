package dev.sdfleet.service;

/**
 * How the services write their log, declared once for the workers and the dispatcher. The setting is read by the
 * log configuration itself ({@code log4j2.xml}, from the environment, before any line is written); declaring it here
 * too is what validates it at start and puts it in both READMEs' tables.
 */
public final class LogSettings {
    public static final String TEXT = "text";
    public static final String JSON = "json";

    public static final Setting<String> FORMAT = Setting.text(
                    "SDFLEET_LOG_FORMAT",
                    "`json`: one JSON object per line (ECS fields, with `request_id`, `job_id`, `tenant`, `trace_id`"
                            + " and `span_id` on lines about a request); `text`: lines for a terminal")
            .withDefault(TEXT)
            .check("`json` or `text`", v -> v.equals(JSON) || v.equals(TEXT));

    private LogSettings() {}
}
