using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;

namespace Xai4Mri.ML.Tests.Synthetic;

/// <summary>Age and group effects are visible in simple image statistics, and age is learnable but not trivially.</summary>
[TestClass]
public sealed class SyntheticAnatomyTests
{
    [TestMethod]
    public void CentralCsfVolumeGrowsWithAge()
    {
        using var dir = TestPaths.Scratch();
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = dir.Path, Subjects = 40, Seed = 11, VoxelSize = 6, PatientFraction = 0,
        });

        double[] ages = cohort.Subjects.Select(s => s.Age).ToArray();
        double[] csf = cohort.Subjects.Select(s => VolumeMeasures.CentralCsf(MriImage.Load(s.Path), 35).Millilitres).ToArray();
        double r = VolumeMeasures.Pearson(ages, csf);

        Assert.IsGreaterThan(0.5, r, $"r(age, central CSF) = {r:F3}");
        // Not trivial: individual variability (head size, ventricle size, reserve) keeps age from being a function of one statistic.
        Assert.IsLessThan(0.97, r, $"r(age, central CSF) = {r:F3}");
    }

    [TestMethod]
    public void PatientsShowMoreAtrophyThanControlsOfTheSameAge()
    {
        using var dir = TestPaths.Scratch();
        // Same seed, same age: the subjects are identical apart from the group, so each pair isolates its effect.
        SyntheticCohort Make(string name, double patients) => SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = dir.File(name), Subjects = 12, Seed = 5, VoxelSize = 6, MinAge = 65, MaxAge = 65, PatientFraction = patients,
        });
        var controls = Make("controls", 0);
        var patients = Make("patients", 1);

        Assert.IsTrue(controls.Subjects.All(s => !s.IsPatient && s.Age == 65));
        Assert.IsTrue(patients.Subjects.All(s => s.IsPatient && s.Age == 65));
        int more = 0;
        double controlMean = 0, patientMean = 0;
        for (int i = 0; i < controls.Subjects.Count; i++)
        {
            double c = VolumeMeasures.CsfFraction(MriImage.Load(controls.Subjects[i].Path));
            double p = VolumeMeasures.CsfFraction(MriImage.Load(patients.Subjects[i].Path));
            more += p > c ? 1 : 0;
            controlMean += c / controls.Subjects.Count;
            patientMean += p / controls.Subjects.Count;
        }
        Assert.IsGreaterThanOrEqualTo(11, more, $"patients had more CSF in {more} of 12 pairs");
        Assert.IsGreaterThan(controlMean * 1.1, patientMean, $"CSF fraction: controls {controlMean:F3}, patients {patientMean:F3}");
        Assert.IsGreaterThan(
            controls.Subjects.Average(s => s.AtrophyIndex), patients.Subjects.Average(s => s.AtrophyIndex));
    }

    [TestMethod]
    public void OlderSubjectsHaveMoreLesions()
    {
        using var dir = TestPaths.Scratch();
        SyntheticCohort Make(string name, double age) => SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = dir.File(name), Subjects = 20, Seed = 2, VoxelSize = 8, MinAge = age, MaxAge = age, PatientFraction = 0,
            MaxDegreeOfParallelism = 1,
        });

        double young = Make("young", 25).Subjects.Average(s => s.LesionCount);
        double old = Make("old", 78).Subjects.Average(s => s.LesionCount);

        Assert.IsLessThan(1.5, young);
        Assert.IsGreaterThan(4 * Math.Max(young, 0.5), old, $"mean lesions: 25 years {young}, 78 years {old}");
    }

    [TestMethod]
    public void RidgeRegressionLearnsAgeButNotPerfectly()
    {
        using var dir = TestPaths.Scratch();
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = dir.Path, Subjects = 80, Seed = 3, VoxelSize = 8 });
        var features = cohort.Subjects.Select(s => AgeFeatures.FromImage(MriImage.Load(s.Path))).ToArray();
        double[] ages = cohort.Subjects.Select(s => s.Age).ToArray();

        double r2 = AgeFeatures.CrossValidatedRidgeR2(features, ages, folds: 5, lambda: 1);

        Assert.IsGreaterThan(0.3, r2, $"cross-validated R² = {r2:F3}");
        Assert.IsLessThan(0.9, r2, $"cross-validated R² = {r2:F3}");
    }
}
