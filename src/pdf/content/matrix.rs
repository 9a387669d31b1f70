//! Affine transformations of PDF coordinate spaces (ISO 32000-1 §8.3.3–8.3.4): `[a b c d e f]`
//! applied to row vectors, `[x' y' 1] = [x y 1] × M`.

use crate::pdf::Object;

/// A point or a vector in some PDF space.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    pub fn minus(self, other: Point) -> Point {
        Point::new(self.x - other.x, self.y - other.y)
    }

    pub fn scaled(self, factor: f64) -> Point {
        Point::new(self.x * factor, self.y * factor)
    }

    pub fn length(self) -> f64 {
        self.x.hypot(self.y)
    }

    pub fn dot(self, other: Point) -> f64 {
        self.x * other.x + self.y * other.y
    }

    /// The z component of the cross product: positive when `other` points to the left of `self`.
    pub fn cross(self, other: Point) -> f64 {
        self.x * other.y - self.y * other.x
    }

    /// The vector scaled to length 1, or `None` for a (nearly) zero or non-finite vector.
    pub fn unit(self) -> Option<Point> {
        let length = self.length();
        (length.is_finite() && length > 1e-12).then(|| self.scaled(1.0 / length))
    }

    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Matrix {
    pub const IDENTITY: Matrix = Matrix::new(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);

    pub const fn new(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) -> Self {
        Matrix { a, b, c, d, e, f }
    }

    pub const fn translation(tx: f64, ty: f64) -> Self {
        Matrix::new(1.0, 0.0, 0.0, 1.0, tx, ty)
    }

    /// Six numbers, as `cm`, `Tm` operands or a `/Matrix` array hold them.
    pub fn from_numbers(values: &[Object]) -> Option<Matrix> {
        let numbers: Vec<f64> = values
            .iter()
            .map(Object::as_number)
            .collect::<Option<_>>()?;
        match numbers.as_slice() {
            [a, b, c, d, e, f] => Some(Matrix::new(*a, *b, *c, *d, *e, *f)),
            _ => None,
        }
    }

    /// `self × other`: first `self`, then `other` (so `cm` sets `CTM = M.then(CTM)`).
    pub fn then(&self, other: &Matrix) -> Matrix {
        Matrix::new(
            self.a * other.a + self.b * other.c,
            self.a * other.b + self.b * other.d,
            self.c * other.a + self.d * other.c,
            self.c * other.b + self.d * other.d,
            self.e * other.a + self.f * other.c + other.e,
            self.e * other.b + self.f * other.d + other.f,
        )
    }

    pub fn apply(&self, point: Point) -> Point {
        Point::new(
            point.x * self.a + point.y * self.c + self.e,
            point.x * self.b + point.y * self.d + self.f,
        )
    }

    /// Transforms a vector (no translation).
    pub fn apply_vector(&self, vector: Point) -> Point {
        Point::new(
            vector.x * self.a + vector.y * self.c,
            vector.x * self.b + vector.y * self.d,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn then_applies_left_first() {
        let scale = Matrix::new(2.0, 0.0, 0.0, 2.0, 0.0, 0.0);
        let shift = Matrix::translation(10.0, 0.0);
        let point = Point::new(1.0, 1.0);
        assert_eq!(scale.then(&shift).apply(point), Point::new(12.0, 2.0));
        assert_eq!(shift.then(&scale).apply(point), Point::new(22.0, 2.0));
    }

    #[test]
    fn rotation_by_ninety_degrees() {
        let rotate = Matrix::new(0.0, 1.0, -1.0, 0.0, 0.0, 0.0);
        assert_eq!(rotate.apply(Point::new(1.0, 0.0)), Point::new(0.0, 1.0));
        assert_eq!(
            rotate.apply_vector(Point::new(0.0, 1.0)),
            Point::new(-1.0, 0.0)
        );
    }

    #[test]
    fn reads_six_numbers_only() {
        let six: Vec<Object> = (1..=6).map(Object::from).collect();
        assert!(Matrix::from_numbers(&six).is_some());
        assert!(Matrix::from_numbers(&six[..5]).is_none());
        let mut wrong = six.clone();
        wrong[2] = Object::name("x");
        assert!(Matrix::from_numbers(&wrong).is_none());
    }
}
