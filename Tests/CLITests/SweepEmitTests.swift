import Foundation
import Testing

/// `pumpsim sweep --emit slurm|kubernetes`. The emitted Slurm scripts are run here as Slurm runs
/// them (the array task's environment variables, then the merge), and must give the rows of a
/// `--jobs 1` run; the Kubernetes manifests must pass `kubernetes-validate --strict` (PyPI, the
/// API's published schemas). The real cluster (a one-node Slurm with a requeued task) is
/// `.ci/slurm-sweep`, which CI runs.
struct SweepEmitTests {
    static let sweep = ["sweep", "Scenarios/curve-sweep.yaml", "--grid", "curve.virtual_sol=20..50:10", "--seeds", "2"]

    @Test func slurmScriptsRunAsArrayTasksAndMergeToTheSingleProcessRows() throws {
        let dir = try tempDir("emit-slurm")
        let jobs = dir.appendingPathComponent("jobs")
        let e = try pumpsim(Self.sweep + ["--emit", "slurm", jobs.path, "--shards", "3", "--sbatch=--time=10:00"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.contains("4 points × 2 seeds = 8 runs in 3 array tasks"))
        let array = try String(contentsOf: jobs.appendingPathComponent("sweep-array.sbatch"), encoding: .utf8)
        let merge = try String(contentsOf: jobs.appendingPathComponent("sweep-merge.sbatch"), encoding: .utf8)
        let submit = try String(contentsOf: jobs.appendingPathComponent("submit.sh"), encoding: .utf8)
        #expect(array.contains("#SBATCH --array=1-3\n") && array.contains("#SBATCH --requeue\n") && array.contains("#SBATCH --time=10:00\n"))
        #expect(array.contains("i=${SLURM_ARRAY_TASK_ID:") && array.contains("n=${SLURM_ARRAY_TASK_COUNT:-3}") && array.contains("--shard \"$i/$n\""))
        #expect(submit.contains("sbatch --parsable --dependency=afterok:\"$array\" sweep-merge.sbatch"))
        for name in ["sweep-array.sbatch", "sweep-merge.sbatch", "submit.sh"] {
            let path = jobs.appendingPathComponent(name).path
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(name) is executable")
            #expect(try tool("bash", ["-n", path]).status == 0, "\(name) parses")
        }
        #expect(merge.contains("shard-1.sqlite") && merge.contains("shard-3.sqlite") && !merge.contains("shard-4.sqlite"))

        // As Slurm runs them: each task with its array variables, then the merge.
        for i in 1...3 {
            let r = try runScript(jobs.appendingPathComponent("sweep-array.sbatch").path,
                                  environment: ["SLURM_ARRAY_TASK_ID": "\(i)", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_CPUS_PER_TASK": "1"])
            #expect(r.status == 0, "task \(i): \(r.stderr)")
        }
        // A task run again (a requeue after it finished) runs nothing new.
        let again = try runScript(jobs.appendingPathComponent("sweep-array.sbatch").path,
                                  environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(again.status == 0 && again.stdout.contains("were already in the catalog, 0 ran now"), "\(again.stdout)")
        let m = try runScript(jobs.appendingPathComponent("sweep-merge.sbatch").path, environment: [:])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.stdout.contains("8 of 8 rows, complete"), "\(m.stdout)")

        let reference = dir.appendingPathComponent("reference.sqlite").path
        #expect(try pumpsim(Self.sweep + ["--jobs", "1", "--db", reference, "--quiet"]).status == 0)
        let want = try sweepRows(reference), got = try sweepRows(jobs.appendingPathComponent("sweep.sqlite").path)
        #expect(want.split(separator: "\n").count == 8)
        #expect(got == want)
    }

    @Test func kubernetesManifestsPassTheAPISchemas() throws {
        let dir = try tempDir("emit-k8s")
        let e = try pumpsim(Self.sweep + ["--emit", "kubernetes", dir.path, "--shards", "4", "--cpus-per-shard", "2", "--image", "registry.example/pumpsim:1"])
        #expect(e.status == 0, "\(e.stderr)")
        let job = dir.appendingPathComponent("sweep-job.yaml").path, merge = dir.appendingPathComponent("sweep-merge-job.yaml").path
        let v = try tool("kubernetes-validate", ["--strict", job, merge])
        #expect(v.status == 0, "kubernetes-validate: \(v.stdout) \(v.stderr)")
        // Four resources: the ConfigMap, the claim, the Indexed Job and the merge Job.
        #expect(v.stdout.components(separatedBy: " passed for resource ").count - 1 == 4, "\(v.stdout)")
        let text = try String(contentsOfFile: job, encoding: .utf8)
        #expect(text.contains("completionMode: Indexed") && text.contains("completions: 4") && text.contains("$((JOB_COMPLETION_INDEX + 1))"))
        #expect(text.contains("--shard \\\"$i/4\\\""))
        // The pods' commands, run here as the Indexed Job runs them (JOB_COMPLETION_INDEX 0…3, the
        // volumes as local folders), then the merge's: the rows of a --jobs 1 run.
        let data = dir.appendingPathComponent("data"), mounted = dir.appendingPathComponent("scenario")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        // The ConfigMap's files as the pod would see them mounted (PyYAML, which schemathesis and
        // kubernetes-validate bring): the scenario and its trade stream, nothing from the checkout.
        let unpack = "import sys, os, yaml\nfor d in yaml.safe_load_all(open(sys.argv[1])):\n    if d and d['kind'] == 'ConfigMap':\n        for k, v in d['data'].items():\n            open(os.path.join(sys.argv[2], k), 'w').write(v + '\\n')\n"
        try FileManager.default.createDirectory(at: mounted, withIntermediateDirectories: true)
        let u = try tool("python3", ["-c", unpack, job, mounted.path])
        #expect(u.status == 0, "\(u.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: mounted.path).sorted()
        #expect(files == ["backtest-sample.csv", "curve-sweep.yaml"], "\(files)")
        func podCommand(_ file: String) throws -> String {
            let yaml = try String(contentsOfFile: file, encoding: .utf8)
            let lines = yaml.split(separator: "\n").map(String.init)
            let i = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "args:" })
            let quoted = lines[i + 1].trimmingCharacters(in: .whitespaces).dropFirst(2)
            let command = try #require(try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed) as? String)
            return command.replacingOccurrences(of: "/data/", with: data.path + "/")
                .replacingOccurrences(of: "/scenario/", with: mounted.path + "/")
        }
        let path = pumpsimBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        for index in 0..<4 {
            let r = try runScript(["-c", try podCommand(job)], environment: ["JOB_COMPLETION_INDEX": "\(index)", "PATH": path])
            #expect(r.status == 0, "pod \(index): \(r.stderr)")
        }
        let m = try runScript(["-c", try podCommand(merge)], environment: ["PATH": path])
        #expect(m.status == 0 && m.stdout.contains("8 of 8 rows, complete"), "\(m.stdout) \(m.stderr)")
        let reference = dir.appendingPathComponent("reference.sqlite").path
        #expect(try pumpsim(Self.sweep + ["--jobs", "1", "--db", reference, "--quiet"]).status == 0)
        #expect(try sweepRows(data.appendingPathComponent("sweep.sqlite").path) == sweepRows(reference))

        // The scenario travels in the ConfigMap, byte for byte (indented as a block scalar).
        let scenario = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/curve-sweep.yaml"), encoding: .utf8)
        let firstLine = scenario.split(separator: "\n").first.map(String.init) ?? ""
        #expect(text.contains("\n    " + firstLine + "\n"))
    }

    @Test func emitRefusesWhatCannotWork() throws {
        let dir = try tempDir("emit-bad")
        for (extra, message) in [([String](["--emit", "slurm", dir.path]), "--emit needs --shards N"),
                                 (["--emit", "pbs", dir.path, "--shards", "2"], "--emit expects slurm DIR or kubernetes DIR"),
                                 (["--emit", "slurm", dir.path, "--shards", "9"], "--shards 9 is more than the sweep's 8 runs"),
                                 (["--emit", "slurm", dir.path, "--shards", "0"], "--shards must be between 1"),
                                 (["--emit", "slurm", dir.path, "--shards", "2", "--db", "x.sqlite"], "--db does not apply with --emit"),
                                 (["--shards", "2"], "--shards only applies with --emit"),
                                 (["--emit", "slurm", dir.path, "--shards", "2", "--pumpsim", "pumpsim"], "--pumpsim must be an absolute path"),
                                 (["--emit", "slurm", dir.path, "--shards", "2", "--sbatch=partition=x"], "--sbatch takes one sbatch option")] {
            let r = try pumpsim(Self.sweep + extra)
            #expect(r.status == 2 && r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
        // A bad axis is caught when emitting, not on the cluster.
        let r = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml", "--grid", "curve.virtual_soll=20,30", "--emit", "slurm", dir.path, "--shards", "2"])
        #expect(r.status == 2 && r.stderr.contains("virtual_soll"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("submit.sh").path))
    }

    /// Runs a script with bash, from the package root, with extra environment variables.
    func runScript(_ path: String, environment: [String: String]) throws -> Output {
        try runScript([path], environment: environment)
    }

    /// Runs /bin/sh with `-c COMMAND`, or bash with a script, from the package root.
    func runScript(_ arguments: [String], environment: [String: String]) throws -> Output {
        try runProcess(URL(fileURLWithPath: arguments.first == "-c" ? "/bin/sh" : "/bin/bash"), arguments, environment: environment.mapValues { $0 })
    }
}
