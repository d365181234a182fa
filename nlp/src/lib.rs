//! Rule-based language understanding for inquiries (stub; being written).
