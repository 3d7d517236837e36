# syntax=docker/dockerfile:1.7
# CPU worker (the default ONNX Runtime build): for the tiny model, CI-like stacks and CPU-only clusters.
# Build from the repository root:  docker build -f docker/worker-cpu.Dockerfile -t sdfleet/worker-cpu .
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
# The whole reactor (.dockerignore keeps build outputs and training checkpoints out); -pl worker -am builds only
# the worker and the modules it needs.
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests -pl worker -am package

FROM eclipse-temurin:21-jre-noble
# A numeric user and group (Kubernetes' runAsNonRoot can only verify a numeric USER).
RUN groupadd --system --gid 10001 sdfleet \
 && useradd --system --uid 10001 --gid 10001 --home /opt/sdfleet sdfleet \
 && mkdir -p /var/cache/sdfleet/models && chown -R 10001:10001 /var/cache/sdfleet
COPY --from=build /src/worker/target/sdfleet-worker.jar /opt/sdfleet/
COPY --from=build /src/worker/target/lib /opt/sdfleet/lib
COPY docker/healthcheck.sh docker/drain.sh /opt/sdfleet/
# The bundled tiny model, so that the image runs with no model store at all (SDFLEET_MODEL overrides it).
COPY models/tiny-sd /opt/sdfleet/models/tiny-sd
# The image runs with a read-only root file system: these volumes are all it writes (/tmp: java.io.tmpdir, where
# ONNX Runtime unpacks its native libraries).
VOLUME ["/var/cache/sdfleet/models", "/tmp"]
# The log is JSON lines for the log shipper (SDFLEET_LOG_FORMAT=text for a person reading `docker logs`).
ENV SDFLEET_PROVIDERS=cpu \
    SDFLEET_LOG_FORMAT=json \
    SDFLEET_MODEL=/opt/sdfleet/models/tiny-sd \
    SDFLEET_MODEL_CACHE=/var/cache/sdfleet/models \
    SDFLEET_HTTP_PORT=8081 \
    JAVA_TOOL_OPTIONS="-Xms512m -Xmx512m -XX:+AlwaysPreTouch -Djava.io.tmpdir=/tmp --enable-native-access=ALL-UNNAMED"
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["/opt/sdfleet/healthcheck.sh", "8081", "/health/ready"]
ENTRYPOINT ["java", "-cp", "/opt/sdfleet/sdfleet-worker.jar:/opt/sdfleet/lib/*", "dev.sdfleet.worker.WorkerMain"]
