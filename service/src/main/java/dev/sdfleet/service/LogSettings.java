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

    /** Log4j's java.util.logging manager (log4j-jul): where it is on the class path, JUL lines go through Log4j. */
    static final String JUL_TO_LOG4J = "org.apache.logging.log4j.jul.LogManager";

    private LogSettings() {}

    /**
     * Sends java.util.logging (ONNX Runtime logs through it) to the program's Log4j configuration, so that a JSON log
     * stays one JSON object per line. Call first thing in a program's main, before anything uses JUL; does nothing
     * where Log4j's bridge is absent (a program embedding a service keeps its own logging) or the manager is chosen
     * already.
     */
    public static void bridgeJavaUtilLogging() {
        if (System.getProperty("java.util.logging.manager") != null) {
            return;
        }
        try {
            Class.forName(JUL_TO_LOG4J, false, LogSettings.class.getClassLoader());
            System.setProperty("java.util.logging.manager", JUL_TO_LOG4J);
        } catch (ClassNotFoundException e) {
            // No bridge: JUL keeps its console handler.
        }
    }
}
