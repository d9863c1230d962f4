"""Optuna's TPE over the same search space, each trial one training process: `rlx train` (bench/tune-optuna.sh), or
CleanRL's ppo_continuous_action.py on PyTorch (bench/tune-optuna-cleanrl.sh, the Python stack end to end). A trial's
value is the mean return of its last 20 episodes, as rlx tune ranks trials. Prints one JSON line: best value, its
parameters, trials and wall seconds."""
import argparse, json, os, shlex, subprocess, sys, tempfile, time

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
    parser.add_argument("--rlx", help="the command that runs rlx, e.g. 'dotnet .rlx/bin/rlx.dll'")
    parser.add_argument("--cleanrl", help="CleanRL's ppo_continuous_action.py: train with it instead of rlx")
    parser.add_argument("--shim", help="directory put first on PYTHONPATH for CleanRL (bench/tune/cleanrl_shim, then Gymnasium's)")
    parser.add_argument("--space", required=True)
    parser.add_argument("--config", help="rlx: the base config file")
    parser.add_argument("--timesteps", type=int, required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.space) as f:
        space = yaml.safe_load(f)
    runs = tempfile.mkdtemp()

    # CleanRL's names for the keys, where they differ.
    cleanrl_names = {"lr": "learning-rate"}

    def objective(trial):
        values = {key: suggest(trial, key, domain) for key, domain in space.items()}
        if args.cleanrl:
            scalars = os.path.join(runs, f"trial_{trial.number:04d}.jsonl")
            command = [sys.executable, args.cleanrl, "--env-id", "Pendulum-v1", "--total-timesteps", str(args.timesteps), "--seed", "1"]
            for key, value in values.items():
                command += [f"--{cleanrl_names.get(key, key.replace('_', '-'))}", str(value)]
            environment = dict(os.environ, PYTHONPATH=args.shim, RLX_SCALARS=scalars, OMP_NUM_THREADS="1")
            subprocess.run(command, check=True, capture_output=True, text=True, env=environment)
            with open(scalars) as f:
                returns = [row["value"] for row in map(json.loads, f) if row["tag"] == "charts/episodic_return"]
            return sum(returns[-20:]) / len(returns[-20:])
        command = shlex.split(args.rlx) + ["train", "ppo", "--config", args.config, "--set", f"total_timesteps={args.timesteps}",
                   "--runs-dir", runs, "--name", f"trial_{trial.number:04d}", "--json"]
        for key, value in values.items():
            command += ["--set", f"{key}={value}"]
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
