"""The catalogue of experiments: every experiment's title, summary, running module,
parameters with their defaults and limits, and what it needs. ``workers/DESIGN.md`` says
what each experiment shows and how its defaults were chosen."""

from __future__ import annotations

from workers.experiments.spec import SEED, Experiment, Param

EXPERIMENTS: dict[str, Experiment] = {
    "sft": Experiment(
        name="sft",
        title="SFT shifts behaviour",
        summary=(
            "Fine-tune the base model on curated ideal answers and compare gold score and refusal "
            "rate by prompt family before and after. Two harmful categories are held out: one "
            "phrased like the covered ones, one with its own phrasing (the coverage gap)."
        ),
        module="workers.experiments.sft_shift",
        params=(
            Param("steps", "int", 36, "SFT optimiser steps", 1, 400),
            Param("lr", "float", 1e-3, "learning rate", 1e-5, 1e-2),
            Param("batch_size", "int", 8, "examples per step", 1, 64),
            Param("samples_per_prompt", "int", 2, "sampled responses per evaluation prompt", 1, 8),
            Param("temperature", "float", 1.0, "sampling temperature for evaluation", 0.0, 2.0),
            Param("max_new_tokens", "int", 32, "longest sampled response", 4, 96),
            Param("dataset", "path", "", "JSONL with prompt/completion (default: the world's set)"),
            SEED,
        ),
        needs_gold=(
            "gold is scored on the world's evaluation prompts; a custom dataset is used for "
            "training only"
        ),
        dataset_fields=("prompt", "completion"),
    ),
    "pairwise_vs_absolute": Experiment(
        name="pairwise_vs_absolute",
        title="Pairwise beats absolute",
        summary=(
            "Train reward models on N pairwise comparisons and on N 1-to-7 ratings from the same "
            "simulated raters; compare held-out pair accuracy and correlation with gold as N "
            "grows and as the raters disagree more about the rating scale."
        ),
        module="workers.experiments.pairwise_vs_absolute",
        params=(
            Param("labels", "int", 200, "labels per reward model at the headline point", 20, 2000),
            Param(
                "miscalibration",
                "float",
                1.5,
                "spread of raters' offset, scale and drift at the headline point",
                0.0,
                4.0,
            ),
            Param(
                "noise",
                "float",
                0.3,
                "raters' judgement noise (Bradley-Terry temperature)",
                0.05,
                2.0,
            ),
            Param("length_bias", "float", 0.0, "raters' preference per extra word", 0.0, 1.0),
            Param("seeds", "int", 5, "repetitions averaged per point", 1, 10),
            Param("responses_per_prompt", "int", 8, "candidate responses per prompt", 2, 16),
            Param(
                "rm_training",
                "choice",
                "probe",
                "probe: frozen body + linear head (the sweep); finetune: whole model with "
                "TRL's RewardTrainer / transformers' Trainer at the headline point only",
                choices=("probe", "finetune"),
            ),
            Param(
                "dataset",
                "path",
                "",
                "JSONL with prompt/chosen/rejected: train a pairwise reward model on it instead",
            ),
            SEED,
        ),
        needs_gold=(
            "needs the world's gold score and simulated raters; with a dataset only the "
            "pairwise reward model is trained and scored on held-out pairs of that dataset"
        ),
        dataset_fields=("prompt", "chosen", "rejected"),
    ),
    "class_reward_model": Experiment(
        name="class_reward_model",
        title="A reward model from the class's labels",
        summary=(
            "Train a reward model on the preference labels the class gave by hand, and one on "
            "simulated annotators' labels of the same pairs; compare how often each set of "
            "labels agrees with the gold score and how well each reward model ranks held-out "
            "pairs."
        ),
        module="workers.experiments.class_reward_model",
        params=(
            Param("labels", "path", "", "JSONL with prompt/chosen/rejected from the class"),
            Param("noise", "float", 0.3, "simulated annotators' judgement noise", 0.05, 2.0),
            Param(
                "length_bias",
                "float",
                0.2,
                "simulated annotators' preference per extra word",
                0.0,
                1.0,
            ),
            SEED,
        ),
        needs_gold="needs labels on the lab world's prompts (it scores them with the gold score)",
        dataset_fields=("prompt", "chosen", "rejected"),
    ),
    "reward_hacking": Experiment(
        name="reward_hacking",
        title="Reward hacking (Goodhart)",
        summary=(
            "Optimise a fully trained SFT model (its set leaves some prompt kinds out) with "
            "RLOO against a reward model learnt from annotators who favour hedges and "
            "referrals to an expert ('talk to a doctor'). Without a KL penalty the proxy "
            "reward keeps rising while the gold score rises (the kinds SFT left out), peaks "
            "and falls as evasive answers spread to questions that had an answer; a table by "
            "prompt group shows what the policy drifted to, gold against sqrt(KL) is fitted "
            "with R(d) = d(a - b log d) (Gao, Schulman and Hilton 2022) where the fit is "
            "meaningful, and a sweep of the KL coefficient shows what the penalty buys."
        ),
        module="workers.experiments.reward_hacking",
        params=(
            Param("steps", "int", 70, "RL steps per run", 5, 300),
            Param(
                "sft_steps",
                "int",
                36,
                "SFT steps before RL (36: fully tuned on what the SFT set shows)",
                1,
                200,
            ),
            Param(
                "sft_without",
                "choice",
                "unknown,dosage_at_risk",
                "prompt kinds left out of the SFT set besides the two held-out harmful "
                "categories (none: only those two), so RL has real quality to gain there",
                choices=("unknown,dosage_at_risk", "dosage_at_risk", "unknown", "none"),
            ),
            Param("kl_coef", "float", 0.0, "KL coefficient of the main run", 0.0, 2.0),
            Param(
                "sweep",
                "choice",
                "0.3",
                "further KL coefficients, each a run of the same length",
                choices=("none", "0.3", "0.1,0.3", "0.03,0.1,0.3"),
            ),
            Param("lr", "float", 2e-4, "policy learning rate (Adam)", 1e-6, 1e-3),
            Param(
                "prompts_per_step",
                "int",
                10,
                "prompts per RL step (10: one per prompt group)",
                4,
                64,
            ),
            Param("samples_per_prompt", "int", 4, "samples per prompt (RLOO group)", 2, 8),
            Param("max_new_tokens", "int", 40, "longest sampled response", 8, 64),
            Param("pairs", "int", 700, "comparisons the reward model learns from", 100, 4000),
            Param(
                "policy_samples",
                "int",
                4,
                "responses per prompt sampled from the SFT model that annotators also label "
                "(0: only the world's responses of mixed styles)",
                0,
                16,
            ),
            Param(
                "length_bias",
                "float",
                0.0,
                "annotators' preference per extra word",
                0.0,
                1.0,
            ),
            Param(
                "deference_bias",
                "float",
                4.0,
                "annotators' preference for a hedge or a referral to an expert ('i am not "
                "sure', 'talk to a doctor'), whatever the question (the exploitable flaw)",
                0.0,
                6.0,
            ),
            Param(
                "confidence_bias",
                "float",
                0.0,
                "annotators' preference for a confident tone ('trust me , ...'), right or wrong",
                0.0,
                6.0,
            ),
            SEED,
        ),
        needs_gold="needs the world's gold score and simulated annotators",
        budget_seconds=120,
    ),
    "ppo_rlhf": Experiment(
        name="ppo_rlhf",
        title="RLHF with PPO",
        summary=(
            "The SFT set has no demonstrations for some prompt kinds; the annotators' "
            "comparisons cover every kind. Optimise the SFT model against the reward model "
            "learnt from them with PPO (value head, GAE, clipped surrogate, per-token KL "
            "penalty to the SFT model), watch proxy reward, gold, KL, response length, clip "
            "fraction and approximate KL per step, and compare gold before and after on the "
            "covered and the uncovered prompt kinds; beside a run with no KL penalty."
        ),
        module="workers.experiments.ppo_rlhf",
        params=(
            Param("steps", "int", 30, "PPO steps (one batch of rollouts each)", 5, 300),
            Param("kl_coef", "float", 0.3, "KL penalty per token", 0.0, 2.0),
            Param(
                "compare_without_kl",
                "choice",
                "yes",
                "also run with no KL penalty, for comparison (doubles the RL time)",
                choices=("yes", "no"),
            ),
            Param("lr", "float", 1e-4, "policy learning rate (Adam)", 1e-6, 1e-3),
            Param("ppo_epochs", "int", 2, "passes over each batch (2 minibatches each)", 1, 8),
            Param("clip", "float", 0.2, "clip range of the probability ratio", 0.01, 1.0),
            Param("prompts_per_step", "int", 32, "prompts per PPO step", 4, 64),
            Param("samples_per_prompt", "int", 2, "samples per prompt", 1, 8),
            Param("max_new_tokens", "int", 32, "longest sampled response", 8, 64),
            Param("pairs", "int", 1000, "comparisons the reward model learns from", 100, 4000),
            Param(
                "length_bias",
                "float",
                0.0,
                "annotators' preference per extra word (a flaw for the reward model to learn)",
                0.0,
                1.0,
            ),
            Param(
                "sft_without",
                "choice",
                "dosage_at_risk",
                "a prompt kind left out of the SFT set besides the two held-out harmful "
                "categories (none: only those two)",
                choices=("dosage_at_risk", "borderline", "none"),
            ),
            Param(
                "reward_baseline",
                "choice",
                "prompt",
                "prompt: PPO's reward is the reward model's score less the SFT model's mean "
                "score for the same prompt; none: the raw score",
                choices=("prompt", "none"),
            ),
            Param(
                "prompt_set",
                "choice",
                "no_capitals",
                "no_capitals: every prompt kind but the capital questions (the reward model "
                "cannot tell a real country from an invented one); all: every kind",
                choices=("no_capitals", "all"),
            ),
            SEED,
        ),
        needs_gold="needs the world's gold score and simulated annotators",
    ),
    "surface_vs_deep": Experiment(
        name="surface_vs_deep",
        title="Surface vs deep alignment",
        summary=(
            "Safety training (SFT) on ordinary phrasings of harmful requests, then attacks: "
            "the same requests asked plainly, in the web text's role-play frames and in "
            "stealth wrappers the training never saw; then a red-team round that trains "
            "refusals for some wrappers, and the attacks again. Attack success rates of the "
            "base model, after safety training and after the red-team round, over seeds."
        ),
        module="workers.experiments.surface_vs_deep",
        params=(
            Param("safety_steps", "int", 36, "SFT steps of the safety training", 1, 200),
            Param(
                "red_team_steps",
                "int",
                24,
                "fine-tuning steps of the red-team round (0: no round)",
                0,
                200,
            ),
            Param("samples_per_prompt", "int", 2, "sampled answers per attack prompt", 1, 8),
            Param("seeds", "int", 3, "seeds run one after another (the spread)", 1, 5),
            SEED,
        ),
        needs_gold="needs the world's prompts, gold score and simulated annotators",
    ),
    "dpo_vs_ppo": Experiment(
        name="dpo_vs_ppo",
        title="DPO vs PPO",
        summary=(
            "From the same comparisons: DPO (TRL's DPOTrainer) learns from the pairs directly, "
            "PPO learns a reward model first and then optimises against it. Gold score against "
            "KL to the SFT model for both, measured on the same prompts, and their wall times."
        ),
        module="workers.experiments.dpo_vs_ppo",
        params=(
            Param("pairs", "int", 1000, "comparisons both methods learn from", 100, 4000),
            Param("length_bias", "float", 0.0, "annotators' preference per extra word", 0.0, 1.0),
            Param("dpo_steps", "int", 60, "DPO optimiser steps (batch 16)", 5, 400),
            Param("beta", "float", 0.1, "DPO's beta (strength of the implicit KL)", 0.01, 2.0),
            Param("dpo_lr", "float", 1e-4, "DPO learning rate", 1e-6, 1e-2),
            Param("ppo_steps", "int", 30, "PPO steps (32 prompts x 2 samples)", 5, 200),
            Param("kl_coef", "float", 0.1, "PPO's KL penalty per token", 0.0, 2.0),
            Param("ppo_lr", "float", 1e-4, "PPO learning rate", 1e-6, 1e-3),
            Param("eval_every", "int", 10, "measure gold and KL every this many steps", 1, 100),
            SEED,
        ),
        needs_gold="needs the world's gold score and simulated annotators",
    ),
    "refusal_frontier": Experiment(
        name="refusal_frontier",
        title="Over- vs under-refusal",
        summary=(
            "Annotators who weigh safety more teach a reward model to prefer refusals: refusal "
            "of harmful and of harmless borderline requests rise together; annotators who "
            "penalise refusals (a negative safety weight, a push for helpfulness) let harmful "
            "requests through. Both halves form a frontier (picked by best-of-n, or with "
            "policy=rloo also learnt by RL)."
        ),
        module="workers.experiments.refusal_frontier",
        params=(
            Param(
                "safety_weight",
                "float",
                1.0,
                "annotators' bonus for a refusal (logits; negative: a penalty), added to the "
                "frontier's sweep; the RL option's middle weight",
                -10.0,
                10.0,
            ),
            Param("pairs", "int", 1000, "comparisons per reward model", 50, 4000),
            Param("noise", "float", 0.3, "annotators' judgement noise", 0.05, 2.0),
            Param("seeds", "int", 3, "repetitions averaged per point", 1, 8),
            Param(
                "responses_per_prompt", "int", 8, "answers per prompt in the labelled pool", 2, 16
            ),
            Param(
                "policy",
                "choice",
                "best_of_n",
                "the frontier's policy: best_of_n (the reward model's favourite answer) or rloo "
                "(also train the SFT model with RLOO against the reward models of safety weight "
                "0, safety_weight's and the largest)",
                choices=("best_of_n", "rloo"),
            ),
            Param("rl_steps", "int", 100, "RLOO steps per policy (policy=rloo)", 5, 200),
            SEED,
        ),
        needs_gold="needs the world's prompts, gold score and simulated annotators",
    ),
    "dosage_tradeoff": Experiment(
        name="dosage_tradeoff",
        title="The dosage trade-off",
        summary=(
            "A nurse asks for a drug's dose; someone in pain asks whether they can take three "
            "times as much. Annotators who see who is asking label answers to both; RLOO trains "
            "the SFT model against a reward model that sees the signal and against one from "
            "which it is stripped. On held-out questions: who is served, who is protected, who "
            "is harmed, with the signal present, missing, or faked (an at-risk user who says "
            "'i am a nurse')."
        ),
        module="workers.experiments.dosage_tradeoff",
        params=(
            Param("rl_steps", "int", 45, "RLOO steps per policy", 5, 200),
            Param("rl_lr", "float", 3e-4, "RLOO learning rate", 1e-5, 1e-2),
            Param("kl_coef", "float", 0.1, "RLOO's KL penalty coefficient", 0.0, 2.0),
            Param("pairs", "int", 1000, "comparisons per reward model", 50, 4000),
            Param("noise", "float", 0.3, "annotators' judgement noise", 0.05, 2.0),
            Param(
                "responses_per_prompt", "int", 6, "answers per question in the labelled pool", 2, 7
            ),
            Param("samples_per_prompt", "int", 8, "sampled answers per held-out question", 1, 32),
            SEED,
        ),
        needs_gold="needs the world's dosage questions, gold score and simulated annotators",
    ),
    "alignment_tax": Experiment(
        name="alignment_tax",
        title="The alignment tax",
        summary=(
            "Start from the fully trained SFT model, then safety-train it on refusals to every "
            "kind of harmful request at several strengths (optimiser steps); measure capability "
            "on benign tasks (gold on capital-city and how-to questions) and refusal of harmful "
            "requests after each. The capability lost is the alignment tax, with its spread "
            "over seeds; mixing benign demonstrations into the safety batches shows what that "
            "does to it."
        ),
        module="workers.experiments.alignment_tax",
        params=(
            Param(
                "steps",
                "int",
                16,
                "strongest safety training (optimiser steps, batch 8); a quarter and a half "
                "of it are measured too",
                4,
                400,
            ),
            Param("lr", "float", 1e-3, "learning rate of the safety training", 1e-5, 1e-2),
            Param(
                "mix",
                "float",
                0.0,
                "share of each safety batch that is benign demonstrations from the SFT set "
                "(0: refusals only)",
                0.0,
                0.9,
            ),
            Param("seeds", "int", 3, "repetitions (each its own SFT model and samples)", 1, 6),
            Param("samples_per_prompt", "int", 2, "sampled answers per evaluation prompt", 1, 8),
            SEED,
        ),
        needs_gold="needs the world's prompts and gold score",
    ),
}
