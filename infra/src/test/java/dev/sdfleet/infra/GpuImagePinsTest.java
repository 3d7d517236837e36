package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GPU image's CUDA, cuDNN and TensorRT stay in step with the ONNX Runtime version in the root pom: bumping
 * {@code onnxruntime.version} without a row in {@link #REQUIRED}, or changing the image without the table, fails here
 * with what to change.
 */
class GpuImagePinsTest {
    static final String DOCKERFILE = "docker/worker-gpu.Dockerfile";

    /** The TensorRT runtime packages the TensorRT provider loads (libnvinfer.so.10, its plugins, the ONNX parser). */
    static final List<String> TENSORRT_PACKAGES = List.of("libnvinfer10", "libnvinfer-plugin10", "libnvonnxparsers10");

    /**
     * What the GPU image must carry for an ONNX Runtime version.
     *
     * @param cuda the CUDA major.minor of the {@code nvidia/cuda} base image
     * @param cudnnMajor the cuDNN major (the base image's {@code -cudnn-} variant; CUDA 12 images carry cuDNN 9)
     * @param tensorRt the apt version of the TensorRT packages, as NVIDIA's CUDA repository names it
     * @param sources where the row comes from (README "GPU path" lists them too)
     */
    record Pins(String cuda, int cudnnMajor, String tensorRt, String sources) {}

    /**
     * ORT version -> pins. The ONE place to update when the pom's {@code onnxruntime.version} moves.
     *
     * <p>1.29.0: the onnxruntime_gpu 1.29.0 jar's natives need libcudart.so.12, libcublas.so.12, libcudnn.so.9,
     * libnvinfer.so.10 and libnvonnxparser.so.10 (read from the jar, /work/shared/notes/deps.md §4): CUDA 12.x,
     * cuDNN 9, TensorRT 10. ORT's TensorRT provider docs (requirements table) give TensorRT 10.9 with CUDA 12.0-12.8
     * for the newest rows available when this was written, and ORT's Linux TensorRT CI builds with
     * TRT_VERSION=10.9.0.34-1.cuda12.8. The exact TensorRT minor of the v1.29.0 packaging build
     * ({@code linux_trt_version_cuda12} in the v1.29.0 tag's
     * tools/ci_build/github/azure-pipelines/templates/common-variables.yml) was NOT read: check it when touching
     * this row.
     */
    static final Map<String, Pins> REQUIRED = Map.of(
            "1.29.0",
            new Pins(
                    "12.8",
                    9,
                    "10.9.0.34-1+cuda12.8",
                    "jar NEEDED libs (deps.md §4); onnxruntime.ai TensorRT-ExecutionProvider requirements;"
                            + " microsoft/onnxruntime .github/workflows/linux_tensorrt_ci.yml TRT_VERSION"));

    private static final Pattern ORT_VERSION =
            Pattern.compile("<onnxruntime\\.version>([^<]+)</onnxruntime\\.version>");
    private static final Pattern CUDA_BASE = Pattern.compile(
            "^FROM\\s+nvidia/cuda:(\\d+)\\.(\\d+)\\.\\d+-cudnn(\\d*)-runtime-ubuntu\\S*(\\s+AS\\s+\\S+)?$");
    private static final Pattern TRT_CUDA = Pattern.compile("\\+cuda(\\d+)\\.(\\d+)$");

    /** The pom's ORT version. */
    static String ortVersion(String pom) {
        Matcher m = ORT_VERSION.matcher(pom);
        if (!m.find()) {
            throw new AssertionError("pom.xml has no <onnxruntime.version>");
        }
        return m.group(1).trim();
    }

    /** What is wrong with {@code dockerfile} for the ORT version in {@code pom}; empty when the pins agree. */
    static List<String> problems(String pom, List<String> dockerInstructions, Map<String, Pins> table) {
        String ort = ortVersion(pom);
        Pins pins = table.get(ort);
        if (pins == null) {
            return List.of("pom.xml has onnxruntime.version " + ort + " but GpuImagePinsTest.REQUIRED has no row for it"
                    + " (rows: " + table.keySet() + "): find the CUDA, cuDNN and TensorRT versions the ORT " + ort
                    + " GPU build needs (ORT release notes, CUDA/TensorRT execution provider requirement tables, the"
                    + " v" + ort + " tag's common-variables.yml), add the row, and pin them in " + DOCKERFILE);
        }
        List<String> problems = new ArrayList<>();
        List<String> froms =
                dockerInstructions.stream().filter(i -> i.startsWith("FROM ")).toList();
        String runtimeFrom = froms.isEmpty() ? "" : froms.getLast();
        Matcher base = CUDA_BASE.matcher(runtimeFrom);
        if (!base.matches()) {
            problems.add(DOCKERFILE + ": the runtime stage must start FROM nvidia/cuda:" + pins.cuda()
                    + ".<patch>-cudnn-runtime-ubuntu<ver> (ORT " + ort + "), found '" + runtimeFrom + "'");
        } else {
            String cuda = base.group(1) + "." + base.group(2);
            if (!cuda.equals(pins.cuda())) {
                problems.add(DOCKERFILE + ": base image has CUDA " + cuda + ", ORT " + ort + " wants CUDA "
                        + pins.cuda() + " (GpuImagePinsTest.REQUIRED): change the FROM tag or the table");
            }
            String cudnn = base.group(3);
            if (!cudnn.isEmpty() && Integer.parseInt(cudnn) != pins.cudnnMajor()) {
                problems.add(DOCKERFILE + ": base image has cuDNN " + cudnn + ", ORT " + ort + " wants cuDNN "
                        + pins.cudnnMajor());
            }
        }
        Matcher trtCuda = TRT_CUDA.matcher(pins.tensorRt());
        if (trtCuda.find() && base.matches() && !trtCuda.group(1).equals(base.group(1))) {
            problems.add("GpuImagePinsTest.REQUIRED: TensorRT " + pins.tensorRt() + " is built for CUDA "
                    + trtCuda.group(1) + ".x but the base image has CUDA " + base.group(1) + ".x");
        }
        String install = dockerInstructions.stream()
                .filter(i -> i.startsWith("RUN ") && i.contains("apt-get install"))
                .filter(i -> i.contains("libnvinfer"))
                .findFirst()
                .orElse("");
        for (String pkg : TENSORRT_PACKAGES) {
            Matcher m = Pattern.compile("(?<=\\s)" + Pattern.quote(pkg) + "(=(\\S+))?(?=\\s|$)")
                    .matcher(install);
            if (!m.find()) {
                problems.add(DOCKERFILE + ": apt-get install must name " + pkg + "=" + pins.tensorRt());
            } else if (m.group(2) == null) {
                problems.add(DOCKERFILE + ": " + pkg + " is not pinned; apt would take the newest TensorRT, maybe built"
                        + " for another CUDA: write " + pkg + "=" + pins.tensorRt());
            } else if (!m.group(2).equals(pins.tensorRt())) {
                problems.add(DOCKERFILE + ": " + pkg + "=" + m.group(2) + " but ORT " + ort + " wants "
                        + pins.tensorRt() + " (GpuImagePinsTest.REQUIRED)");
            }
        }
        return problems;
    }

    @Test
    void theGpuImagePinsWhatThePinnedOrtNeeds() {
        List<String> problems =
                problems(Repo.read("pom.xml"), Dockerfile.read(DOCKERFILE).instructions(), REQUIRED);
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    void theTableHasARowForThePomsOrt() {
        String ort = ortVersion(Repo.read("pom.xml"));
        assertTrue(REQUIRED.containsKey(ort), "no GpuImagePinsTest.REQUIRED row for ORT " + ort);
    }

    // The check itself: it must catch the drifts it is there for.

    private static final String POM = "<properties><onnxruntime.version>1.29.0</onnxruntime.version></properties>";
    private static final String FROM_OK = "FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04";
    private static final String INSTALL_OK = "RUN apt-get update && apt-get install -y --no-install-recommends"
            + " libnvinfer10=10.9.0.34-1+cuda12.8 libnvinfer-plugin10=10.9.0.34-1+cuda12.8"
            + " libnvonnxparsers10=10.9.0.34-1+cuda12.8 && rm -rf /var/lib/apt/lists/*";

    private static List<String> check(String pom, String... instructions) {
        return problems(pom, List.of(instructions), REQUIRED);
    }

    @Test
    void aPinnedImageMatchingTheTablePasses() {
        assertEquals(List.of(), check(POM, "FROM eclipse-temurin:21-jdk-noble AS build", FROM_OK, INSTALL_OK));
    }

    @Test
    void anUnpinnedTensorRtFails() {
        List<String> problems = check(
                POM,
                FROM_OK,
                "RUN apt-get update && apt-get install -y --no-install-recommends libnvinfer10 libnvinfer-plugin10"
                        + " libnvonnxparsers10 && rm -rf /var/lib/apt/lists/*");
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("libnvinfer10 is not pinned"), problems.getFirst());
        assertTrue(problems.getFirst().contains("libnvinfer10=10.9.0.34-1+cuda12.8"), problems.getFirst());
    }

    @Test
    void aTensorRtBuiltForAnotherCudaFails() {
        List<String> problems = check(
                POM,
                FROM_OK,
                INSTALL_OK.replace("libnvinfer10=10.9.0.34-1+cuda12.8", "libnvinfer10=10.14.1.48-1+cuda13.0"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("libnvinfer10=10.14.1.48-1+cuda13.0 but ORT 1.29.0 wants"));
    }

    @Test
    void anotherCudaBaseImageFails() {
        List<String> problems = check(POM, "FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04", INSTALL_OK);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("CUDA 12.6, ORT 1.29.0 wants CUDA 12.8"), problems.getFirst());
        assertTrue(check(POM, "FROM nvidia/cuda:12.8.1-cudnn8-runtime-ubuntu22.04", INSTALL_OK)
                .getFirst()
                .contains("cuDNN 8"));
        assertTrue(check(POM, "FROM ubuntu:24.04", INSTALL_OK).getFirst().contains("must start FROM nvidia/cuda:12.8"));
    }

    @Test
    void bumpingOrtWithoutARowSaysWhatToChange() {
        List<String> problems = check(POM.replace("1.29.0", "1.30.0"), FROM_OK, INSTALL_OK);
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().contains("onnxruntime.version 1.30.0"), problems.getFirst());
        assertTrue(problems.getFirst().contains("add the row, and pin them in " + DOCKERFILE), problems.getFirst());
    }
}
