//! `sls-resolve check`: the pre-deploy gate, over every service and every stage.

mod policy;
mod services;
mod stages;
