//! The only module that talks to STS through aws-sdk-sts; turns SDK errors into ours.
