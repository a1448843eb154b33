using Xai4Mri.Bench;

return args.Length == 0 ? Usage() : args[0] switch
{
    "reading" => ReadingBenchmark.Run(args[1..]),
    "loading" => LoadingBenchmark.Run(args[1..]),
    "training" => TrainingBenchmark.Run(args[1..]),
    "inference" => InferenceBenchmark.Run(args[1..]),
    "transfer-pretrain" => TransferStudy.Pretrain(args[1..]),
    "transfer-compare" => TransferStudy.Compare(args[1..]),
    "datapath" => DataPathBenchmark.Run(args[1..]),
    "analysis-outcomes" => AnalysisValidation.Outcomes(args[1..]),
    "analysis-validate" => AnalysisValidation.Validate(args[1..]),
    "analysis-timing" => AnalysisValidation.Timing(args[1..]),
    "analysis-heldout" => HeldOutValidation.Run(args[1..]),
    "analysis-scores" => AnalysisScores.Run(args[1..]),
    "relevance" => RelevanceBenchmark.Run(args[1..]),
    "explain-stream" => ExplainStreamBenchmark.Run(args[1..]),
    "faithfulness" => FaithfulnessBenchmark.Run(args[1..]),
    "brain-extraction-dice" => BrainExtractionBenchmark.Dice(args[1..]),
    "brain-extraction-speed" => BrainExtractionBenchmark.Speed(args[1..]),
    "brain-extraction-overlay" => BrainExtractionOverlay.Run(args[1..]),
    "fuzz" => FuzzBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Xai4Mri.Bench reading [--reps N] [--nibabel-json FILE] FILE...");
    Console.Error.WriteLine("       Xai4Mri.Bench loading --cohort DIR --cache EMPTY_DIR [--threads N] [--warm-passes N]");
    Console.Error.WriteLine("       Xai4Mri.Bench training [--threads N] [--batch N] [--steps N] [--shape DxHxW]...");
    Console.Error.WriteLine("       Xai4Mri.Bench inference [--threads N] [--reps N] [--shape DxHxW]...");
    Console.Error.WriteLine("       Xai4Mri.Bench transfer-pretrain --work DIR [--subjects 1000] [--epochs 30] [--learning-rate 1e-3] [--patience 10] [--batch-norm] [--augment] [--name pretrained-mrinet]");
    Console.Error.WriteLine("       Xai4Mri.Bench datapath --work DIR [--subjects 200] [--epochs 3] [--repeats 3]");
    Console.Error.WriteLine("       Xai4Mri.Bench transfer-compare --work DIR [--target age|group] [--n 60,120] [--epochs 12] [--fine-tune 8] [--folds 5] [--site site-d] [--pretrained pretrained-mrinet] [--no-restore] [--validation-fraction 0.1] [--learning-rate 5e-4] [--augment] [--strategies scratch,features,mono,dual,probe]");
    Console.Error.WriteLine("       Xai4Mri.Bench analysis-outcomes --work DIR [--scenarios a,b,c,d,e,f] [--strategies scratch,features,probe,mono,dual] [--pretrained pretrained-mrinet-bn]");
    Console.Error.WriteLine("       Xai4Mri.Bench analysis-validate --work DIR [--pretrained pretrained-mrinet-bn]");
    Console.Error.WriteLine("       Xai4Mri.Bench analysis-timing --work DIR [--subjects 120]");
    Console.Error.WriteLine("       Xai4Mri.Bench analysis-heldout --work DIR [--manifest bench/heldout-scenarios.json] [--scenarios ID,ID] [--strategies scratch,features,probe,mono,dual] [--folds 5] [--epochs 12] [--fine-tune 8] [--pretrained pretrained-mrinet-bn|FILE.x4m] [--results FILE] [--summary FILE] [--max-subjects N] [--validation-fraction 0.1] [--summary-only]");
    Console.Error.WriteLine("       Xai4Mri.Bench analysis-scores --work DIR [--out DIR (default WORK/analysis-scores)] [--cache DIR (default OUT/cache)] [--manifest bench/heldout-scenarios.json] [--scenarios ID,ID] [--results FILE] [--scores FILE] [--summary FILE] [--pretrained pretrained-mrinet-bn|FILE.x4m] [--strategies ...] [--folds 5] [--epochs 12] [--fine-tune 8] [--max-subjects N] [--source-bins 5] [--source-range LOW,HIGH] [--source-mae YEARS] [--resamples 20000]");
    Console.Error.WriteLine("       Xai4Mri.Bench relevance [--threads N] [--reps N] [--shape DxHxW]... [--method LrpPresetA]...");
    Console.Error.WriteLine("       Xai4Mri.Bench explain-stream [--subjects 50] [--shape 32x32x32] [--threads N] [--column Relevance|Image|direct]");
    Console.Error.WriteLine("       Xai4Mri.Bench faithfulness [--work DIR] [--pretrained FILE.x4m] [--age-subjects 10] [--lesion-train 120] [--lesion-test 20] [--lesion-radius 12] [--epochs 15] [--learning-rate 5e-4] [--steps 30] [--cube 2] [--seeds 3] [--threads 2] [--figures DIR] [--scenarios age,lesion] [--method M]...");
    Console.Error.WriteLine("       Xai4Mri.Bench brain-extraction-dice --work DIR [--subjects 3] [--voxel-sizes 1,2,3] [--seed 7] [-f B]");
    Console.Error.WriteLine("       Xai4Mri.Bench brain-extraction-speed --work DIR [--reps 5]");
    Console.Error.WriteLine("       Xai4Mri.Bench brain-extraction-overlay IN OUT.png [--mask MASK.nii.gz] [--truth TRUTH.nii.gz] [--brain-surface] [-f B]");
    Console.Error.WriteLine("       Xai4Mri.Bench fuzz [--cases 10000] [--seed 20261204] [--fixtures Xai4Mri.ML.Tests/Fixtures] [--hang-seconds 10]");
    return 2;
}
