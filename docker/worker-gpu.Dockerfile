# syntax=docker/dockerfile:1.7
# GPU worker: CUDA 12 + cuDNN 9 + TensorRT 10 runtime, a Java 21 runtime and the GPU build of ONNX Runtime.
# Build from the repository root:  docker build -f docker/worker-gpu.Dockerfile -t sdfleet/worker-gpu .

# --- build: the worker with onnxruntime_gpu (-Pgpu); its native libraries are unpacked here, once, so the
#     container does not extract 600 MB into /tmp on every start.
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
# The whole reactor (.dockerignore keeps build outputs and training checkpoints out); -pl worker -am builds only
# the worker and the modules it needs.
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -Pgpu -DskipTests -pl worker -am package \
 && mkdir -p /out/native \
 && cd /out/native \
 && jar xf "$(ls /src/worker/target/lib/onnxruntime_gpu-*.jar)" ai/onnxruntime/native/linux-x64 \
 && mv ai/onnxruntime/native/linux-x64/* . && rm -rf ai

# --- runtime
# CUDA, cuDNN and TensorRT are pinned to what the pinned ONNX Runtime GPU build (root pom: onnxruntime.version)
# links and was built for. onnxruntime_gpu 1.29.0's natives need libcudart.so.12 / libcublas.so.12 (CUDA 12.x),
# libcudnn.so.9 (cuDNN 9) and, for the TensorRT provider, libnvinfer.so.10 / libnvonnxparser.so.10 (TensorRT 10).
# infra/src/test/.../GpuImagePinsTest holds the ORT -> CUDA/cuDNN/TensorRT table (with its sources) and fails the
# build when this file and the pom's ORT version disagree: bump them together.
# CUDA 12.8 + cuDNN 9: the newest CUDA of ORT's published TensorRT-provider range (12.0-12.8 for TensorRT 10.9).
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
# TensorRT from NVIDIA's CUDA apt repository (already configured in this base image). Pinned: unpinned, apt takes
# the newest libnvinfer10, which may be a TensorRT built for another CUDA (e.g. +cuda13.x) than the base image
# and ORT have. The three packages must carry the same version; "+cuda12.8" is the CUDA the TensorRT build targets.
# apt-mark hold keeps a later "apt-get upgrade" in a derived image from moving them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libnvinfer10=10.9.0.34-1+cuda12.8 \
      libnvinfer-plugin10=10.9.0.34-1+cuda12.8 \
      libnvonnxparsers10=10.9.0.34-1+cuda12.8 \
 && apt-mark hold libnvinfer10 libnvinfer-plugin10 libnvonnxparsers10 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=eclipse-temurin:21-jre-noble /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
# A numeric user and group (Kubernetes' runAsNonRoot can only verify a numeric USER).
RUN groupadd --system --gid 10001 sdfleet \
 && useradd --system --uid 10001 --gid 10001 --home /opt/sdfleet sdfleet \
 && mkdir -p /var/cache/sdfleet/trt /var/cache/sdfleet/models \
 && chown -R 10001:10001 /var/cache/sdfleet
COPY --from=build /src/worker/target/sdfleet-worker.jar /opt/sdfleet/
COPY --from=build /src/worker/target/lib /opt/sdfleet/lib
COPY --from=build /out/native /opt/sdfleet/native
COPY docker/healthcheck.sh docker/drain.sh /opt/sdfleet/
# The TensorRT engine cache outlives the container: building engines for a real SD UNet takes minutes. The image
# runs with a read-only root file system: these volumes are all it writes (/tmp: java.io.tmpdir; CUDA's JIT cache
# goes next to the engines).
VOLUME ["/var/cache/sdfleet/trt", "/var/cache/sdfleet/models", "/tmp"]
# The log is JSON lines for the log shipper (SDFLEET_LOG_FORMAT=text for a person reading `docker logs`).
ENV SDFLEET_PROVIDERS=tensorrt,cuda,cpu \
    SDFLEET_LOG_FORMAT=json \
    SDFLEET_TRT_CACHE=/var/cache/sdfleet/trt \
    SDFLEET_MODEL_CACHE=/var/cache/sdfleet/models \
    SDFLEET_HTTP_PORT=8081 \
    CUDA_CACHE_PATH=/var/cache/sdfleet/trt/cuda \
    JAVA_TOOL_OPTIONS="-Xms512m -Xmx512m -XX:+AlwaysPreTouch -Djava.io.tmpdir=/tmp -Donnxruntime.native.path=/opt/sdfleet/native --enable-native-access=ALL-UNNAMED"
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=300s CMD ["/opt/sdfleet/healthcheck.sh", "8081", "/health/ready"]
ENTRYPOINT ["java", "-cp", "/opt/sdfleet/sdfleet-worker.jar:/opt/sdfleet/lib/*", "dev.sdfleet.worker.WorkerMain"]
