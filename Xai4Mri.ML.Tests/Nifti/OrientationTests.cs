using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>Axis codes and qform quaternions against hand-worked cases.</summary>
[TestClass]
public sealed class OrientationTests
{
    private static Affine Linear(params double[] m) => Affine.FromLinearAndTranslation(m, [0, 0, 0]);

    [TestMethod]
    [DataRow(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, "RAS")]
    [DataRow(new double[] { -2, 0, 0, 0, 2, 0, 0, 0, 2 }, "LAS")]
    // FreeSurfer's conformed space: columns (-1,0,0), (0,0,-1), (0,1,0).
    [DataRow(new double[] { -1, 0, 0, 0, 0, 1, 0, -1, 0 }, "LIA")]
    // Columns (0,-1,0), (0,0,1), (1,0,0): posterior, superior, right.
    [DataRow(new double[] { 0, 0, 1, -1, 0, 0, 0, 1, 0 }, "PSR")]
    // Voxel sizes and a 10-degree tilt do not change the codes.
    [DataRow(new double[] { 0.9848 * 3, -0.1736, 0, 0.1736 * 3, 0.9848, 0, 0, 0, 0.5 }, "RAS")]
    // Near-tie at 45 degrees: the first column takes y (larger by 1e-8), so the second must take x (nibabel: A, L, S).
    [DataRow(new double[] { 0.70710678, -0.70710678, 0, 0.70710679, 0.70710678, 0, 0, 0, 1 }, "ALS")]
    public void AxisCodesOfHandWorkedAffines(double[] linear, string expected) =>
        Assert.AreEqual(expected, Orientation.AxisCodes(Linear(linear)));

    [TestMethod]
    public void CollapsedAxisIsQuestionMark()
    {
        // nibabel gives ('R', 'A', None).
        Assert.AreEqual("RA?", Orientation.AxisCodes(Linear(1, 0, 0, 0, 1, 0, 0, 0, 0)));
    }

    [TestMethod]
    public void NonFiniteAffineHasNoOrientation()
    {
        Assert.AreEqual("???", Orientation.AxisCodes(Linear(double.NaN, 0, 0, 0, 1, 0, 0, 0, 1)));
        Assert.AreEqual("???", Orientation.AxisCodes(Linear(double.PositiveInfinity, 0, 0, 0, 1, 0, 0, 0, 1)));
    }

    [TestMethod]
    public void QuaternionRoundTripsRandomRotationsBothHandednesses()
    {
        var rng = new Random(5);
        for (int n = 0; n < 200; n++)
        {
            double[] q = [rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5];
            double norm = Math.Sqrt(q.Sum(x => x * x));
            double[] r = QuaternionMath.ToRotation(q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm);
            double[] zooms = [0.5 + rng.NextDouble(), 0.5 + rng.NextDouble(), 0.5 + rng.NextDouble()];
            double flip = n % 2 == 0 ? 1 : -1;
            var m = new double[9];
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    m[(i * 3) + j] = r[(i * 3) + j] * zooms[j] * (j == 2 ? flip : 1);
                }
            }
            var affine = Affine.FromLinearAndTranslation(m, [rng.Next(-100, 100), rng.Next(-100, 100), 7.5]);
            var (b, c, d, qfac, z) = QuaternionMath.FromAffine(affine);
            var header = new NiftiHeader
            {
                PixDim = [qfac, z[0], z[1], z[2], 1, 1, 1, 1],
                QuaternB = b,
                QuaternC = c,
                QuaternD = d,
                QOffsetX = affine[0, 3],
                QOffsetY = affine[1, 3],
                QOffsetZ = affine[2, 3],
                QformCode = 1,
            };
            Assert.AreEqual(flip, qfac);
            Assert.IsTrue(header.GetQform().ApproximatelyEquals(affine, 1e-9), $"rotation {n}:\n{header.GetQform()}\nvs\n{affine}");
        }
    }

    [TestMethod]
    public void QuaternionOutsideTheUnitBallIsRenormalised()
    {
        var (a, b, c, d) = QuaternionMath.Complete(1, 1, 0);
        Assert.AreEqual(0, a);
        Assert.AreEqual(1 / Math.Sqrt(2), b, 1e-15);
        Assert.AreEqual(1 / Math.Sqrt(2), c, 1e-15);
        Assert.AreEqual(0, d);
    }
}
