import Foundation
import SimCore
import Engine

/// `pumpsim sweep ... --emit slurm|kubernetes DIR`: the sweep as cluster jobs, one shard per
/// array task (Slurm) or completion index (a Kubernetes Indexed Job), and a merge after them.
/// Nothing runs here: the sweep is planned (every axis value loads) so that a mistake shows now,
/// not on the cluster. Every shard writes its own catalog and commits each row as it finishes, so
/// a shard that is killed and requeued runs only its missing rows; the merge checks that rows
/// present twice agree.
public enum SweepEmit {
    public enum Target: String, Sendable, CaseIterable {
        case slurm, kubernetes
    }

    public struct Options: Sendable {
        public var target: Target
        /// Where the scripts go (created); for Slurm also the shards' catalogs, logs and the merge.
        public var directory: String
        public var shards: Int
        /// CPUs per shard (`--jobs` of each shard's sweep).
        public var cpusPerShard = 1
        /// The pumpsim the jobs run: an absolute path for Slurm (default: this executable), a
        /// command in the image for Kubernetes (default `pumpsim`).
        public var pumpsim: String?
        /// Kubernetes: the container image holding pumpsim.
        public var image: String?
        /// Extra `#SBATCH` lines for the array job, as given (`--partition=long`, `--time=2:00:00`).
        public var sbatch: [String] = []
        public init(target: Target, directory: String, shards: Int) { self.target = target; self.directory = directory; self.shards = shards }
    }

    /// What was written, for the summary.
    public struct Written: Sendable {
        public var files: [String]
        /// The command that submits everything.
        public var submit: String
    }

    /// A name Slurm and Kubernetes both accept: lower-case letters, digits and dashes.
    static func jobName(_ scenario: String) -> String {
        let mapped = scenario.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        let trimmed = String(mapped).split(separator: "-").joined(separator: "-")
        return String(("pumpsim-sweep-" + (trimmed.isEmpty ? "scenario" : trimmed)).prefix(52))
    }

    /// One word for a POSIX shell: single-quoted unless it is plainly safe.
    public static func shellQuote(_ s: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !s.isEmpty && s.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The sweep's own arguments (scenario, axes, sampling, seeds, overrides), as each shard runs them.
    static func sweepArguments(_ q: SweepSession.Request, scenario: String) -> [String] {
        var args = ["sweep", "run", scenario]
        for g in q.grid { args += ["--grid", g] }
        if let r = q.random { args += ["--random", String(r)] }
        args += ["--seeds", String(q.seeds)]
        if let s = q.seed { args += ["--seed", String(s)] }
        for o in q.overrides { args += ["--set", o] }
        return args
    }

    static let maxShards = 10_000

    public static func write(_ plan: SweepSession.Plan, _ o: Options) throws(PumpSimError) -> Written {
        guard (1...maxShards).contains(o.shards) else { throw .badInput("--shards must be between 1 and \(maxShards) (found \(o.shards))") }
        guard o.shards <= plan.total else {
            throw .badInput("--shards \(o.shards) is more than the sweep's \(plan.total) runs; every shard would need at least one")
        }
        guard (1...1_024).contains(o.cpusPerShard) else { throw .badInput("--cpus-per-shard must be between 1 and 1024 (found \(o.cpusPerShard))") }
        if plan.request.shard != nil { throw .badInput("--emit writes every shard's job; leave out --shard") }
        for line in o.sbatch where line.contains("\n") || !line.hasPrefix("--") {
            throw .badInput("--sbatch takes one sbatch option per use, like --sbatch=--partition=long (found \(line))")
        }
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: o.directory).standardizedFileURL.path
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw .badInput("cannot create \(o.directory): \(error.localizedDescription)")
        }
        let scenarioPath = URL(fileURLWithPath: plan.request.scenarioPath).standardizedFileURL.path
        var files: [(String, String, Bool)] = []   // name, text, executable
        let submit: String
        switch o.target {
        case .slurm:
            let exe = o.pumpsim ?? CommandLine.executablePath
            guard exe.hasPrefix("/") else { throw .badInput("--pumpsim must be an absolute path for Slurm jobs (found \(exe))") }
            files = slurm(plan, o, dir: dir, scenario: scenarioPath, pumpsim: exe)
            submit = "bash \(shellQuote(dir + "/submit.sh"))"
        case .kubernetes:
            let scenarioText: String
            do { scenarioText = try String(contentsOfFile: plan.request.scenarioPath, encoding: .utf8) } catch {
                throw .badInput("cannot read \(plan.request.scenarioPath): \(error.localizedDescription)")
            }
            // A trade stream file travels in the ConfigMap beside the scenario (the scenario names it
            // relative to itself); ConfigMaps hold at most 1 MiB and keys without slashes.
            var extra: [(String, String)] = []
            let base = try Scenarios.load(plan.request.scenarioPath, overrides: plan.request.overrides)
            if let source = base.config.stream?.source, FileManager.default.fileExists(atPath: source) {
                let name = URL(fileURLWithPath: source).lastPathComponent
                let beside = URL(fileURLWithPath: scenarioPath).deletingLastPathComponent().appendingPathComponent(name).standardizedFileURL.path
                guard URL(fileURLWithPath: source).standardizedFileURL.path == beside else {
                    throw .badInput("--emit kubernetes: the scenario's trade stream \(source) is not beside the scenario; the ConfigMap holds files by name only. Move it next to \(scenarioPath) (trades.file: \(name))")
                }
                let text: String
                do { text = try String(contentsOfFile: source, encoding: .utf8) } catch { throw .badInput("cannot read \(source): \(error.localizedDescription)") }
                extra.append((name, text))
            }
            let total = scenarioText.utf8.count + extra.reduce(0) { $0 + $1.1.utf8.count }
            guard total < 1_000_000 else {
                throw .badInput("--emit kubernetes: the scenario and its trade stream are \(total) bytes, more than a ConfigMap holds (1 MiB); build them into the image instead")
            }
            files = kubernetes(plan, o, scenarioFile: URL(fileURLWithPath: scenarioPath).lastPathComponent, scenarioText: scenarioText, extraFiles: extra)
            submit = "kubectl apply -f \(shellQuote(dir + "/sweep-job.yaml"))"
        }
        var written: [String] = []
        for (name, text, executable) in files {
            let path = dir + "/" + name
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                if executable { try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
            } catch { throw .badInput("cannot write \(path): \(error.localizedDescription)") }
            written.append(path)
        }
        return Written(files: written, submit: submit)
    }

    // MARK: Slurm

    static func slurm(_ plan: SweepSession.Plan, _ o: Options, dir: String, scenario: String, pumpsim: String) -> [(String, String, Bool)] {
        let name = jobName(plan.scenarioName)
        let q = plan.request
        let sweep = ([pumpsim] + sweepArguments(q, scenario: scenario)).map(shellQuote).joined(separator: " ")
        let qdir = shellQuote(dir)
        let header = """
            # Written by `pumpsim sweep --emit slurm` (engine \(EngineInfo.version)) for \(plan.scenarioName):
            # \(plan.points.count) points × \(plan.spec.seeds) seeds = \(plan.total) runs in \(o.shards) shards; sweep key \(plan.key.prefix(16)).
            """
        let array = """
            #!/bin/bash
            \(header)
            # One array task per shard. Each shard commits every finished row to its own catalog, so a
            # task that is requeued (scontrol requeue, a node failure) resumes: it runs only the rows
            # its catalog lacks.
            #SBATCH --job-name=\(name)
            #SBATCH --array=1-\(o.shards)
            #SBATCH --cpus-per-task=\(o.cpusPerShard)
            #SBATCH --output=\(dir)/logs/shard-%a.out
            #SBATCH --open-mode=append
            #SBATCH --requeue
            \(o.sbatch.map { "#SBATCH \($0)" }.joined(separator: "\n"))
            set -euo pipefail
            i=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}
            n=${SLURM_ARRAY_TASK_COUNT:-\(o.shards)}
            echo "shard $i/$n on $(hostname) at $(date -u +%FT%TZ) (restart ${SLURM_RESTART_COUNT:-0})"
            exec \(sweep) \\
              --jobs "${SLURM_CPUS_PER_TASK:-\(o.cpusPerShard)}" --shard "$i/$n" --db \(qdir)/shard-"$i".sqlite --quiet

            """
        let shardFiles = (1...o.shards).map { "\(qdir)/shard-\($0).sqlite" }.joined(separator: " \\\n  ")
        let merge = """
            #!/bin/bash
            \(header)
            # Runs after every shard succeeded (submit.sh submits it with --dependency=afterok on the
            # array). Every shard is named: a missing one fails the merge instead of passing unnoticed.
            #SBATCH --job-name=\(name)-merge
            #SBATCH --cpus-per-task=1
            #SBATCH --output=\(dir)/logs/merge.out
            set -euo pipefail
            exec \(shellQuote(pumpsim)) sweep merge \\
              \(shardFiles) \\
              --into \(qdir)/sweep.sqlite

            """
        let submit = """
            #!/bin/bash
            \(header)
            # Submits the shards as one job array, then the merge, which waits for all of them.
            set -euo pipefail
            cd \(qdir)
            mkdir -p logs
            array=$(sbatch --parsable sweep-array.sbatch)
            array=${array%%;*}
            merge=$(sbatch --parsable --dependency=afterok:"$array" sweep-merge.sbatch)
            merge=${merge%%;*}
            echo "array job $array (\(o.shards) shards), merge job $merge; the merged sweep will be \(dir)/sweep.sqlite"
            echo "watch: squeue -j $array,$merge    report: \(shellQuote(pumpsim)) report \(dir)/sweep.sqlite --html"

            """
        return [("sweep-array.sbatch", array, true), ("sweep-merge.sbatch", merge, true), ("submit.sh", submit, true)]
    }

    // MARK: Kubernetes

    /// A YAML scalar: JSON's string form, which YAML reads as the same string.
    static func y(_ s: String) -> String { JSON.string(s).serialized() }

    static func kubernetes(_ plan: SweepSession.Plan, _ o: Options, scenarioFile: String, scenarioText: String,
                           extraFiles: [(String, String)] = []) -> [(String, String, Bool)] {
        let name = jobName(plan.scenarioName)
        let q = plan.request
        let exe = o.pumpsim ?? "pumpsim"
        let image = o.image ?? "pumpsim:\(EngineInfo.version)"
        let sweep = ([exe] + sweepArguments(q, scenario: "/scenario/\(scenarioFile)")).map(shellQuote).joined(separator: " ")
        // JOB_COMPLETION_INDEX is 0-based; --shard is 1-based.
        let shardCommand = "i=$((JOB_COMPLETION_INDEX + 1)); exec \(sweep) --jobs \(o.cpusPerShard) --shard \"$i/\(o.shards)\" --db \"/data/shard-$i.sqlite\" --quiet"
        let mergeCommand = "exec \(shellQuote(exe)) sweep merge " + (1...o.shards).map { "/data/shard-\($0).sqlite" }.joined(separator: " ") + " --into /data/sweep.sqlite"
        func block(_ text: String) -> String { text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") }
        let scenarioLines = block(scenarioText) + extraFiles.map { "\n  \(y($0.0)): |-\n" + block($0.1) }.joined()
        let header = """
            # Written by `pumpsim sweep --emit kubernetes` (engine \(EngineInfo.version)) for \(plan.scenarioName):
            # \(plan.points.count) points × \(plan.spec.seeds) seeds = \(plan.total) runs in \(o.shards) shards; sweep key \(plan.key.prefix(16)).
            # The shards' catalogs and the merged sweep live on the PersistentVolumeClaim \(name)-data
            # (ReadWriteMany: every shard pod mounts it). Apply this file, wait for the Job, then apply
            # sweep-merge-job.yaml:
            #   kubectl apply -f sweep-job.yaml
            #   kubectl wait --for=condition=complete --timeout=24h job/\(name)
            #   kubectl apply -f sweep-merge-job.yaml
            """
        func podSpec(_ command: String, cpus: Int) -> String {
            """
                spec:
                  restartPolicy: Never
                  containers:
                    - name: pumpsim
                      image: \(y(image))
                      command: ["/bin/sh", "-c"]
                      args:
                        - \(y(command))
                      resources:
                        requests:
                          cpu: \(y(String(cpus)))
                      volumeMounts:
                        - name: data
                          mountPath: /data
                        - name: scenario
                          mountPath: /scenario
                          readOnly: true
                  volumes:
                    - name: data
                      persistentVolumeClaim:
                        claimName: \(y(name + "-data"))
                    - name: scenario
                      configMap:
                        name: \(y(name + "-scenario"))
            """
        }
        let job = """
            \(header)
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(y(name + "-scenario"))
            data:
              \(y(scenarioFile)): |-
            \(scenarioLines)
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: \(y(name + "-data"))
            spec:
              accessModes: ["ReadWriteMany"]
              resources:
                requests:
                  storage: "1Gi"
            ---
            # One pod per shard (completion index 0 … \(o.shards - 1) runs shard index+1 of \(o.shards)). A pod
            # that fails is retried (backoffLimitPerIndex) and resumes from its shard's catalog.
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: \(y(name))
            spec:
              completionMode: Indexed
              completions: \(o.shards)
              parallelism: \(o.shards)
              backoffLimitPerIndex: 3
              template:
            \(podSpec(shardCommand, cpus: o.cpusPerShard))

            """
        let merge = """
            # Written by `pumpsim sweep --emit kubernetes` for \(plan.scenarioName): joins the \(o.shards) shards'
            # catalogs into /data/sweep.sqlite once job/\(name) is complete.
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: \(y(name + "-merge"))
            spec:
              completions: 1
              backoffLimit: 2
              template:
            \(podSpec(mergeCommand, cpus: 1))

            """
        return [("sweep-job.yaml", job, false), ("sweep-merge-job.yaml", merge, false)]
    }
}

extension CommandLine {
    /// This process's executable, absolute (symlinks resolved).
    static var executablePath: String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return URL(fileURLWithPath: arguments[0]).standardizedFileURL.path
    }
}
