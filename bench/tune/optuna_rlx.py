"""Optuna's TPE over the same search space, each trial one `rlx train` process: the reference side of
bench/tune-optuna.sh. Prints one JSON line: best value, its parameters, trials and wall seconds."""
import argparse, json, shlex, subprocess, sys, tempfile, time

import optuna
import yaml


def suggest(trial, key, domain):
    (kind, argument), = domain.items()
    if kind == "uniform":
        return trial.suggest_float(key, float(argument[0]), float(argument[1]))
    if kind == "loguniform":
        return trial.suggest_float(key, float(argument[0]), float(argument[1]), log=True)
    if kind == "int":
        return trial.suggest_int(key, int(argument[0]), int(argument[1]))
    if kind == "choice":
        return trial.suggest_categorical(key, list(argument))
    raise ValueError(f"{key}: {kind} has no Optuna counterpart here")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rlx", required=True, help="the command that runs rlx, e.g. 'dotnet .rlx/bin/rlx.dll'")
    parser.add_argument("--space", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--timesteps", type=int, required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.space) as f:
        space = yaml.safe_load(f)
    runs = tempfile.mkdtemp()

    def objective(trial):
        sets = [f"{key}={suggest(trial, key, domain)}" for key, domain in space.items()]
        command = shlex.split(args.rlx) + ["train", "ppo", "--config", args.config, "--set", f"total_timesteps={args.timesteps}",
                   "--runs-dir", runs, "--name", f"trial_{trial.number:04d}", "--json"]
        for s in sets:
            command += ["--set", s]
        rows = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()
        return json.loads(rows[-1])["episode_return_mean"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=args.seed))
    started = time.perf_counter()
    study.optimize(objective, n_trials=args.trials, n_jobs=args.jobs)
    seconds = time.perf_counter() - started
    print(json.dumps({"best": study.best_value, "params": study.best_params, "trials": len(study.trials), "seconds": round(seconds, 1)}))


if __name__ == "__main__":
    sys.exit(main())
