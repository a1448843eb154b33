using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// One subject's parametric head, evaluated at any point in template space (millimetres, RAS axes, origin at the
/// centre of the intracranial volume). Shapes are described along rays from the origin, which keeps every
/// boundary a cheap closed-form function; boundaries get a linear partial-volume ramp one voxel wide so the same
/// anatomy sampled at 1 mm or 8 mm gives consistent mean intensities.
/// </summary>
internal sealed class BrainPhantom
{
    // The fissure reaches down to this template height (mm) and its grey matter gives way to white over this width (mm).
    private const double FissureFloor = -15;
    private const double FissureRise = 3;

    // Intracranial ellipsoid semi-axes and its smooth low-order shape deformation.
    private readonly double _ax, _ay, _az;
    private readonly double[] _shape = new double[6];

    // Brain surface sits at this fraction of the intracranial radius: the CSF gap widens with atrophy.
    private readonly double _hullFraction;

    // Cortex: thickness, sulcal depth and half-width, gyral wavenumber and the folding field's parameters.
    private readonly double _thickness, _sulcusDepth, _sulcusHalfWidth, _foldK;
    private readonly double[] _foldAxis = new double[3], _warpAxis1 = new double[3], _warpAxis2 = new double[3];
    private readonly double _warpK1, _warpK2, _warpA1, _warpA2, _warpPhase1, _warpPhase2, _foldPhase, _depthK, _depthPhase;

    // Interhemispheric fissure: half-width and depth below the brain surface.
    private readonly double _fissureHalfWidth, _fissureDepth;

    // Lateral ventricles: one bent ellipsoid per hemisphere.
    private readonly double _ventX, _ventY, _ventZ, _ventRx, _ventRy, _ventRz, _ventBend;

    // Deep grey nuclei (thalamus, lentiform/caudate block) as ellipsoids: centre x (mirrored), y, z, semi-axes.
    private readonly double[][] _nuclei;

    // White-matter lesions: centres and radii.
    private readonly double[] _lesX, _lesY, _lesZ, _lesR;

    // The planted lesion: centre and radius (radius 0: none).
    private readonly double _plantX, _plantY, _plantZ, _plantR;

    private readonly double _skullThickness, _scalpThickness;

    private BrainPhantom(double age, bool male, bool patient, double plantedRadius, ref DeterministicRandom anatomy, ref DeterministicRandom lesions, ref DeterministicRandom planted)
    {
        // Atrophy index: 0 at 20 years, 1 at 80 for a typical control, accelerating with age; patients age faster.
        // Individual "brain reserve" scales it and a small additive term blurs it; each effect below varies it once
        // more on its own, so age is best read from many effects together and never exactly from one.
        double t = Math.Clamp((age - 20) / 60, -0.33, 1.5);
        double baseline = (0.6 * t) + (0.4 * t * t);
        double groupFactor = patient ? 1.45 : 1.0;
        double groupOffset = patient ? 0.08 : 0.0;
        double alpha = (baseline * groupFactor * Math.Exp(0.2 * anatomy.NextNormal())) + groupOffset + (0.04 * anatomy.NextNormal());
        AtrophyIndex = Math.Max(-0.2, alpha);
        double a = AtrophyIndex;

        // Head size: males larger on average, about 6 % individual spread, plus independent aspect variation.
        double headScale = (male ? 1.03 : 0.97) * Math.Exp(anatomy.Normal(0, 0.055));
        _ax = 68 * headScale * Math.Exp(anatomy.Normal(0, 0.03));
        _ay = 84 * headScale * Math.Exp(anatomy.Normal(0, 0.03));
        _az = 62 * headScale * Math.Exp(anatomy.Normal(0, 0.03));
        for (int i = 0; i < _shape.Length; i++)
        {
            _shape[i] = anatomy.Normal(0, 0.025);
        }

        _hullFraction = 1 - Math.Clamp(0.035 + (0.06 * Vary(a, ref anatomy)) + anatomy.Normal(0, 0.008), 0.01, 0.3);

        _thickness = 3.0 * Math.Exp(anatomy.Normal(0, 0.07)) * (1 - (0.16 * Math.Clamp(Vary(a, ref anatomy), 0, 2)));
        _sulcusDepth = 14 * headScale * Math.Exp(anatomy.Normal(0, 0.08));
        _sulcusHalfWidth = Math.Max(0.2, 0.6 + (1.4 * Vary(a, ref anatomy)) + anatomy.Normal(0, 0.15));
        _foldK = anatomy.Normal(24, 1.2);
        RandomUnit(ref anatomy, _foldAxis);
        RandomUnit(ref anatomy, _warpAxis1);
        RandomUnit(ref anatomy, _warpAxis2);
        _warpK1 = anatomy.Uniform(2.0, 3.0);
        _warpK2 = anatomy.Uniform(2.5, 3.5);
        _warpA1 = anatomy.Uniform(0.25, 0.45);
        _warpA2 = anatomy.Uniform(0.25, 0.45);
        _warpPhase1 = anatomy.Uniform(0, 2 * Math.PI);
        _warpPhase2 = anatomy.Uniform(0, 2 * Math.PI);
        _foldPhase = anatomy.Uniform(0, 2 * Math.PI);
        _depthK = anatomy.Uniform(5, 8);
        _depthPhase = anatomy.Uniform(0, 2 * Math.PI);

        _fissureHalfWidth = Math.Max(0.3, 0.8 + (1.2 * Vary(a, ref anatomy)) + anatomy.Normal(0, 0.15));
        _fissureDepth = 28 * headScale * Math.Exp(anatomy.Normal(0, 0.06));

        // Ventricular volume grows about 3.5-fold from 20 to 80 in controls, with a large individual spread; the
        // growth is mostly widening (x, z) rather than lengthening (y).
        double volumeFactor = Math.Exp(anatomy.Normal(0, 0.2)) * (1 + (2.5 * Math.Max(0, a)));
        _ventRx = 4.5 * headScale * Math.Pow(volumeFactor, 0.45);
        _ventRy = 22 * headScale * Math.Pow(volumeFactor, 0.15);
        _ventRz = 7.5 * headScale * Math.Pow(volumeFactor, 0.40);
        _ventX = _ventRx + (1.5 * headScale);
        _ventY = (-4 + anatomy.Normal(0, 1.5)) * headScale;
        _ventZ = (10 + anatomy.Normal(0, 1.5)) * headScale;
        _ventBend = 6 * headScale;
        VentricleCentre = (0, _ventY, _ventZ);

        double nucleusScale = headScale * (1 - (0.06 * Math.Clamp(a, 0, 2))) * Math.Exp(anatomy.Normal(0, 0.05));
        _nuclei =
        [
            [12 * headScale, -14 * headScale, -1 * headScale, 7 * nucleusScale, 11 * nucleusScale, 7 * nucleusScale],
            [23 * headScale, 5 * headScale, 0, 5 * nucleusScale, 13 * nucleusScale, 8 * nucleusScale],
        ];

        _skullThickness = 6.5 * headScale;
        _scalpThickness = 5.0 * headScale;

        // Lesions use their own stream: their number depends on age, and a changed count must not shift other draws.
        double susceptibility = Math.Exp(lesions.Normal(0, 0.5));
        double expected = susceptibility * (0.3 + (14 * Math.Max(0, a) * Math.Max(0, a)));
        int count = Math.Min(60, lesions.Poisson(Math.Min(expected, 200)));
        LesionCount = count;
        _lesX = new double[count];
        _lesY = new double[count];
        _lesZ = new double[count];
        _lesR = new double[count];
        for (int i = 0; i < count; i++)
        {
            double ux, uy, uz;
            double s;
            do
            {
                ux = lesions.Uniform(-1, 1);
                uy = lesions.Uniform(-1, 1);
                uz = lesions.Uniform(-1, 1);
                s = (ux * ux) + (uy * uy) + (uz * uz);
            }
            while (s > 1 || s < 1e-6);
            s = Math.Sqrt(s);
            if (lesions.NextDouble() < 0.65)
            {
                // Periventricular: a shell around one lateral ventricle.
                double side = lesions.NextDouble() < 0.5 ? -1 : 1;
                double shell = lesions.Uniform(1.15, 1.9) / s;
                _lesX[i] = (side * _ventX) + (ux * shell * (_ventRx + 4));
                _lesY[i] = _ventY + (uy * shell * _ventRy);
                _lesZ[i] = _ventZ + (uz * shell * (_ventRz + 3));
            }
            else
            {
                // Deep white matter: part-way out from the centre towards the brain surface, above the nuclei.
                double depth = lesions.Uniform(0.35, 0.6) / s;
                _lesX[i] = ux * depth * _ax * _hullFraction;
                _lesY[i] = uy * depth * _ay * _hullFraction;
                _lesZ[i] = (Math.Abs(uz) * depth * _az * _hullFraction) + 5;
            }
            _lesR[i] = Math.Clamp(2.2 * Math.Exp(lesions.Normal(0, 0.35)), 1, 6);
        }

        // The planted lesion has its own stream too, so planting one leaves every other draw unchanged. It sits in
        // the centrum semiovale of one hemisphere: lateral to and above the ventricles, below the cortex.
        if (plantedRadius > 0)
        {
            double side = planted.NextDouble() < 0.5 ? -1 : 1;
            _plantX = side * planted.Uniform(22, 30) * headScale;
            _plantY = planted.Uniform(-22, 14) * headScale;
            _plantZ = planted.Uniform(22, 30) * headScale;
            _plantR = plantedRadius;
            PlantedLesionCentre = (_plantX, _plantY, _plantZ);
        }
    }

    /// <summary>0 for a young adult, about 1 for a typical 80-year-old control; drives every age effect.</summary>
    public double AtrophyIndex { get; }

    /// <summary>Number of white-matter lesions.</summary>
    public int LesionCount { get; }

    /// <summary>Centre of the planted lesion in template millimetres; null when none was planted.</summary>
    public (double X, double Y, double Z)? PlantedLesionCentre { get; }

    /// <summary>Midpoint between the two lateral ventricles' centres, in template millimetres.</summary>
    public (double X, double Y, double Z) VentricleCentre { get; }

    /// <summary>Radius (mm) of a sphere around the template origin that contains the whole head, skull and scalp included.</summary>
    public double BoundingRadius => (Math.Max(_ax, Math.Max(_ay, _az)) * 1.2) + _skullThickness + _scalpThickness;

    /// <summary>
    /// Builds the anatomy of one subject from its own random streams, with a planted lesion of
    /// <paramref name="plantedRadius"/> mm when it is positive.
    /// </summary>
    public static BrainPhantom Create(double age, bool male, bool patient, int seed, int subject, double plantedRadius = 0)
    {
        var anatomy = new DeterministicRandom(seed, subject, RandomStream.Anatomy);
        var lesions = new DeterministicRandom(seed, subject, RandomStream.Lesions);
        var planted = new DeterministicRandom(seed, subject, RandomStream.PlantedLesion);
        return new BrainPhantom(age, male, patient, plantedRadius, ref anatomy, ref lesions, ref planted);
    }

    /// <summary>Tissue fractions of a voxel of size <paramref name="v"/> mm centred at template point (x, y, z).</summary>
    public void Sample(double x, double y, double z, double v, bool withSkull, out TissueFractions f)
    {
        f = default;
        double rho = Math.Sqrt((x * x) + (y * y) + (z * z));
        double ux = 0, uy = 0, uz = 1;
        if (rho > 1e-9)
        {
            ux = x / rho;
            uy = y / rho;
            uz = z / rho;
        }
        // Intracranial surface along this ray: ellipsoid radius times a smooth deformation, flattened at the base.
        double ex = ux / _ax, ey = uy / _ay, ez = uz / _az;
        double deform = 1 + (_shape[0] * uy) + (_shape[1] * uz) + (_shape[2] * uy * uz) + (_shape[3] * ux * uy)
            + (_shape[4] * ((ux * ux) - (uy * uy))) + (_shape[5] * ((uz * uz) - (1.0 / 3)));
        if (uz < 0)
        {
            deform -= 0.08 * uz * uz;
        }
        double rIcv = deform / Math.Sqrt((ex * ex) + (ey * ey) + (ez * ez));
        double sIcv = rIcv - rho;
        f.InsideMask = sIcv > 0;
        if (withSkull)
        {
            AddSkull(-sIcv, v, ref f);
        }
        if (sIcv <= -v)
        {
            return;
        }
        double inIcv = Ramp(sIcv, v);
        double depth = (rIcv * _hullFraction) - rho;
        double inBrain = Ramp(depth, v);
        f.Csf = inIcv - inBrain;
        if (inBrain <= 0)
        {
            return;
        }

        // Cortex: sulcal CSF and the grey/white boundary, each computed only within reach of the surface.
        double sulcal = 0, wmDepth = double.NegativeInfinity;
        if (depth < _sulcusDepth + _thickness + (2 * v))
        {
            Folds(ux, uy, uz, rho, depth, v, out sulcal, out wmDepth);
        }
        if (z > FissureFloor && Math.Abs(x) < _fissureHalfWidth + _thickness + FissureRise + v && depth < _fissureDepth + _thickness + (2 * v))
        {
            Fissure(x, z, depth, v, ref sulcal, ref wmDepth);
        }
        double wmFraction = Math.Min(Ramp(depth - wmDepth, v), 1 - sulcal);
        double wm = inBrain * wmFraction;
        double csfIn = inBrain * sulcal;
        f.Csf += csfIn;
        f.Gm = Math.Max(0, inBrain - csfIn - wm);
        if (wm <= 0)
        {
            return;
        }

        // Deep structures replace white matter: ventricles first, then nuclei, then lesions.
        double vent = Math.Max(VentricleFraction(x, y, z, 1, v), VentricleFraction(x, y, z, -1, v));
        f.Ventricle = wm * vent;
        f.Csf += f.Ventricle;
        wm *= 1 - vent;
        double nucleus = 0;
        foreach (double[] n in _nuclei)
        {
            nucleus = Math.Max(nucleus, Math.Max(
                Ramp(EllipsoidDepth(x - n[0], y - n[1], z - n[2], n[3], n[4], n[5]), v),
                Ramp(EllipsoidDepth(x + n[0], y - n[1], z - n[2], n[3], n[4], n[5]), v)));
        }
        f.DeepGm = wm * nucleus;
        wm *= 1 - nucleus;
        double lesion = 0;
        for (int i = 0; i < _lesR.Length; i++)
        {
            double reach = _lesR[i] + v;
            double dx = x - _lesX[i], dy = y - _lesY[i], dz = z - _lesZ[i];
            if (Math.Abs(dx) < reach && Math.Abs(dy) < reach && Math.Abs(dz) < reach)
            {
                lesion = Math.Max(lesion, Ramp(_lesR[i] - Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)), v));
            }
        }
        double plantedLesion = 0;
        if (_plantR > 0)
        {
            double dx = x - _plantX, dy = y - _plantY, dz = z - _plantZ;
            plantedLesion = Ramp(_plantR - Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)), v);
        }
        f.Planted = wm * plantedLesion;
        lesion = Math.Max(lesion, plantedLesion);
        f.Lesion = wm * lesion;
        f.Wm = wm * (1 - lesion);
    }

    /// <summary>
    /// Folded cortex. Sulci run along level lines of a smooth warped field on the sphere of directions, so they are
    /// long, curved and individual. Near a sulcus's centre line CSF fills it down to its fundus, grey matter lines
    /// its walls and floor, and white matter rises as a gyral core towards each crown.
    /// </summary>
    private void Folds(double ux, double uy, double uz, double rho, double depth, double v, out double sulcal, out double wmDepth)
    {
        double d1 = (_warpAxis1[0] * ux) + (_warpAxis1[1] * uy) + (_warpAxis1[2] * uz);
        double d2 = (_warpAxis2[0] * ux) + (_warpAxis2[1] * uy) + (_warpAxis2[2] * uz);
        double c1 = _warpA1 * _warpK1 * Math.Cos((_warpK1 * d1) + _warpPhase1);
        double c2 = _warpA2 * _warpK2 * Math.Cos((_warpK2 * d2) + _warpPhase2);
        double g = (_foldAxis[0] * ux) + (_foldAxis[1] * uy) + (_foldAxis[2] * uz)
            + (_warpA1 * Math.Sin((_warpK1 * d1) + _warpPhase1)) + (_warpA2 * Math.Sin((_warpK2 * d2) + _warpPhase2));
        // The tangential gradient of g turns a distance in phase into millimetres on the brain surface.
        double gx = _foldAxis[0] + (c1 * _warpAxis1[0]) + (c2 * _warpAxis2[0]);
        double gy = _foldAxis[1] + (c1 * _warpAxis1[1]) + (c2 * _warpAxis2[1]);
        double gz = _foldAxis[2] + (c1 * _warpAxis1[2]) + (c2 * _warpAxis2[2]);
        double radial = (gx * ux) + (gy * uy) + (gz * uz);
        double gradient = Math.Sqrt(Math.Max(1e-6, (gx * gx) + (gy * gy) + (gz * gz) - (radial * radial)));
        double phase = ((_foldK * g) + _foldPhase) / (2 * Math.PI);
        // Radians of fold phase per millimetre along the surface.
        double perMm = _foldK * gradient / Math.Max(rho, 1);
        double distance = Math.Abs(phase - Math.Round(phase)) * 2 * Math.PI / perMm;
        double halfPeriod = Math.PI / perMm;

        // Sulci deepen and shallow along their length; the gyral white-matter core rises over at most a few
        // millimetres beside each sulcus so that where sulci are sparse the cortex keeps its thickness.
        double sulcusDepth = _sulcusDepth * (0.7 + (0.3 * Math.Sin((_depthK * d2) + _depthPhase)));
        sulcal = Ramp(_sulcusHalfWidth - distance, v) * Ramp(sulcusDepth - depth, v);
        double wall = _sulcusHalfWidth + _thickness;
        double rise = SmoothStep(wall, wall + Math.Clamp(0.5 * (halfPeriod - wall), 1, 4), distance);
        wmDepth = _thickness + (sulcusDepth * (1 - rise));
    }

    /// <summary>The interhemispheric fissure: a deep midline sulcus above the level of the ventricles.</summary>
    private void Fissure(double x, double z, double depth, double v, ref double sulcal, ref double wmDepth)
    {
        double ax = Math.Abs(x);
        double floorDepth = _fissureDepth * Ramp(z - FissureFloor - 5, 10);
        sulcal = Math.Max(sulcal, Ramp(_fissureHalfWidth - ax, v) * Ramp(floorDepth - depth, v));
        double wall = _fissureHalfWidth + _thickness;
        wmDepth = Math.Max(wmDepth, _thickness + (floorDepth * (1 - SmoothStep(wall, wall + FissureRise, ax))));
    }

    private double VentricleFraction(double x, double y, double z, double side, double v)
    {
        double dy = y - _ventY;
        double t = dy / _ventRy;
        // Bend the body so the horns dip: a C-shape seen from the side.
        double dz = z - _ventZ + (_ventBend * t * t);
        return Ramp(EllipsoidDepth(x - (side * _ventX), dy, dz, _ventRx, _ventRy, _ventRz), v);
    }

    private void AddSkull(double outside, double v, ref TissueFractions f)
    {
        double total = _skullThickness + _scalpThickness;
        if (outside >= total + v)
        {
            return;
        }
        double inIcv = Ramp(-outside, v);
        double inSkull = Ramp(_skullThickness - outside, v);
        f.Scalp = Ramp(total - outside, v) - inSkull;
        double middle = _skullThickness / 2;
        double marrow = Math.Min(Ramp((middle - 1.5) - Math.Abs(outside - middle), v), inSkull - inIcv);
        f.Marrow = Math.Max(0, marrow);
        f.Bone = Math.Max(0, inSkull - inIcv - f.Marrow);
    }

    /// <summary>The atrophy index as one effect expresses it: individually scaled by about ±20 %.</summary>
    private static double Vary(double atrophy, ref DeterministicRandom rng) => atrophy * Math.Exp(rng.Normal(0, 0.2));

    /// <summary>Fraction of a voxel of size <paramref name="v"/> lying inside a boundary at signed depth <paramref name="depth"/>.</summary>
    private static double Ramp(double depth, double v) => Math.Clamp(0.5 + (depth / v), 0, 1);

    private static double SmoothStep(double edge0, double edge1, double x)
    {
        double t = Math.Clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - (2 * t));
    }

    /// <summary>Approximate signed depth (mm, positive inside) of a point relative to an axis-aligned ellipsoid surface.</summary>
    private static double EllipsoidDepth(double dx, double dy, double dz, double rx, double ry, double rz)
    {
        double qx = dx / rx, qy = dy / ry, qz = dz / rz;
        double r = Math.Sqrt((qx * qx) + (qy * qy) + (qz * qz));
        double gx = qx / rx, gy = qy / ry, gz = qz / rz;
        double gradient = Math.Sqrt((gx * gx) + (gy * gy) + (gz * gz));
        // First-order distance (1 - r) / |grad r|; at the very centre the gradient vanishes and any large depth will do.
        return gradient < 1e-12 ? Math.Min(rx, Math.Min(ry, rz)) : (1 - r) * r / gradient;
    }

    /// <summary>A direction uniformly distributed on the sphere.</summary>
    private static void RandomUnit(ref DeterministicRandom rng, double[] target)
    {
        double x, y, z, n;
        do
        {
            x = rng.NextNormal();
            y = rng.NextNormal();
            z = rng.NextNormal();
            n = Math.Sqrt((x * x) + (y * y) + (z * z));
        }
        while (n < 1e-6);
        target[0] = x / n;
        target[1] = y / n;
        target[2] = z / n;
    }
}
